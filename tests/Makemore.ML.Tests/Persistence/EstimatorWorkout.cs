using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// The checks every Makemore estimator must pass (as ML.NET's own "workout" tests): the schema it promises is the
/// schema it produces, bad input schemas are refused with a message naming the column, and a model saved with
/// <c>mlContext.Model.Save</c> and loaded in a fresh <see cref="MLContext"/> gives identical outputs.
/// </summary>
internal static class EstimatorWorkout
{
    /// <param name="estimator">The estimator (or pipeline) under test.</param>
    /// <param name="train">Data to fit on.</param>
    /// <param name="score">Data to compare outputs on.</param>
    /// <param name="badInput">An input the estimator must refuse.</param>
    /// <param name="expectedColumnInError">The column the refusal must name.</param>
    /// <param name="comparedColumns">Output columns compared before and after save/load.</param>
    public static ITransformer Run(IEstimator<ITransformer> estimator, IDataView train, IDataView score, IDataView badInput,
        string expectedColumnInError, params string[] comparedColumns)
    {
        // 1. Schema propagation: promised == produced.
        var promised = estimator.GetOutputSchema(Shape(train.Schema));
        var model = estimator.Fit(train);
        var produced = model.GetOutputSchema(train.Schema);
        foreach (var column in promised)
        {
            var actual = produced.GetColumnOrNull(column.Name);
            Assert.IsNotNull(actual, $"promised column '{column.Name}' is missing from the output");
            var item = ItemType(actual.Value.Type);
            if (column.IsKey) // a schema shape describes a key by its raw type
                Assert.AreEqual(column.ItemType.RawType, (item as KeyDataViewType)?.RawType, $"key type of '{column.Name}'");
            else
                Assert.AreEqual(column.ItemType, item, $"item type of '{column.Name}'");
        }
        foreach (string name in comparedColumns)
            Assert.IsNotNull(produced.GetColumnOrNull(name), $"output column '{name}'");

        // 2. Bad input: refused, naming the column.
        var error = Assert.Throws<Exception>(() => estimator.GetOutputSchema(Shape(badInput.Schema)));
        StringAssert.Contains(error.Message, expectedColumnInError);
        var fitError = Assert.Throws<Exception>(() => estimator.Fit(badInput));
        StringAssert.Contains(fitError.Message, expectedColumnInError);

        // 3. Save → load in a fresh context → identical outputs.
        string path = Path.Combine(Path.GetTempPath(), $"makemore-workout-{Guid.NewGuid():N}.zip");
        try
        {
            new MLContext().Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out var inputSchema);
            Assert.AreEqual(train.Schema.Count, inputSchema.Count, "saved input schema");
            var before = ReadColumns(model.Transform(score), comparedColumns);
            var after = ReadColumns(loaded.Transform(score), comparedColumns);
            CollectionAssert.AreEqual(before, after, "outputs after save/load");
        }
        finally
        {
            File.Delete(path);
        }
        return model;
    }

    private static DataViewType ItemType(DataViewType type) => type is VectorDataViewType vector ? vector.ItemType : type;

    // SchemaShape.Create is internal to ML.NET; estimators outside it are still asked the question with a SchemaShape.
    public static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    /// <summary>Every value of the columns, rendered exactly (round-trip formats), row by row.</summary>
    public static List<string> ReadColumns(IDataView data, IReadOnlyList<string> columns)
    {
        var rows = new List<string>();
        var selected = columns.Select(c => data.Schema[c]).ToArray();
        using var cursor = data.GetRowCursor(selected);
        var readers = selected.Select(c => Reader(cursor, c)).ToArray();
        while (cursor.MoveNext())
            rows.Add(string.Join(" | ", readers.Select(r => r())));
        return rows;
    }

    private static Func<string> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        DataViewType type = ItemType(column.Type);
        bool vector = column.Type is VectorDataViewType;
        if (type == NumberDataViewType.Double && !vector)
            return Scalar<double>(cursor, column, v => v.ToString("R"));
        if (type == NumberDataViewType.Single && !vector)
            return Scalar<float>(cursor, column, v => v.ToString("R"));
        if (type == NumberDataViewType.Int32 && !vector)
            return Scalar<int>(cursor, column, v => v.ToString());
        if (type == NumberDataViewType.Int32)
            return Scalar<VBuffer<int>>(cursor, column, v => string.Join(",", v.DenseValues()));
        if (type == NumberDataViewType.Single)
            return Scalar<VBuffer<float>>(cursor, column, v => string.Join(",", v.DenseValues().Select(x => x.ToString("R"))));
        if (type is TextDataViewType)
            return Scalar<ReadOnlyMemory<char>>(cursor, column, v => v.ToString());
        if (type is KeyDataViewType && !vector)
            return Scalar<uint>(cursor, column, v => v.ToString());
        if (type is KeyDataViewType)
            return Scalar<VBuffer<uint>>(cursor, column, v => string.Join(",", v.DenseValues()));
        throw new NotSupportedException($"Column '{column.Name}' of type {column.Type}.");
    }

    private static Func<string> Scalar<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> render)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return render(value);
        };
    }
}
