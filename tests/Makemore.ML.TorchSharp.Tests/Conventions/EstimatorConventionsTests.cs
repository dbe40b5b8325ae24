using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Tests.Persistence;

namespace Makemore.ML.TorchSharp.Tests.Conventions;

/// <summary>
/// ML.NET's usual checks, run on every public estimator of Makemore.ML and Makemore.ML.TorchSharp (found by reflection,
/// so a new estimator without a case fails <see cref="EveryPublicEstimatorHasACase"/>): a wrong input type is ML.NET's
/// "Schema mismatch for input column" at <c>GetOutputSchema</c>, <c>Fit</c> and <c>Transform</c> (of the fitted and of
/// the loaded model); a missing column is named; no rows give a transformer or an error naming the column; save → load
/// in a fresh context gives identical outputs; <c>Preview</c> shows no internal or state column; the estimator
/// cross-validates; and an estimator is immutable once made (changing its options object afterwards changes nothing).
/// </summary>
[TestClass]
[DoNotParallelize] // torch's thread count and seed are process-wide
public sealed class EstimatorConventionsTests
{
    public static IEnumerable<object[]> Estimators => EstimatorCase.All.Select(c => new object[] { c.Type.Name });

    [TestMethod]
    public void EveryPublicEstimatorHasACase()
    {
        var covered = EstimatorCase.All.Select(c => c.Type).ToList();
        var missing = EstimatorCase.PublicEstimators.Except(covered).Select(t => t.FullName).ToList();
        Assert.IsEmpty(missing, "public estimators without a conventions case: " + string.Join(", ", missing));
        Assert.HasCount(EstimatorCase.PublicEstimators.Count, covered, "one case per estimator");
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void AnInputColumnOfAnotherTypeIsASchemaMismatchAtEveryStep(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var bad = c.Spoil(ml, data);
        string expected = $"Schema mismatch for {c.Role} column '{c.InputColumn}'";
        var made = c.Create(ml, c.NewOptions(ml));
        Refused(() => made.GetOutputSchema(EstimatorWorkout.Shape(bad.Schema)), expected, "estimator.GetOutputSchema");
        Refused(() => made.Fit(bad), expected, "estimator.Fit");
        var model = made.Fit(data);
        Refused(() => model.GetOutputSchema(bad.Schema), expected, "fitted model's GetOutputSchema");
        Refused(() => model.Transform(bad), c.MismatchAtTransform ?? expected, "fitted model's Transform");
        // A model loaded with ML.NET's Model.Load is ML.NET's chain of built-in transformers: it refuses the column at
        // Transform (not when a row is read); a text column in ML.NET's words naming it, ids in those of our CustomMapping.
        var loaded = SaveAndLoad(ml, model, data.Schema);
        Refused(() => loaded.Transform(bad), c.LoadedMismatch ?? expected, "loaded model's Transform");
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void AMissingInputColumnIsNamedAtEveryStep(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var missing = ml.Transforms.DropColumns(c.InputColumn).Fit(data).Transform(data);
        string expected = $"'{c.InputColumn}'";
        var made = c.Create(ml, c.NewOptions(ml));
        Refused(() => made.GetOutputSchema(EstimatorWorkout.Shape(missing.Schema)), expected, "estimator.GetOutputSchema");
        Refused(() => made.Fit(missing), expected, "estimator.Fit");
        var model = made.Fit(data);
        expected = c.MissingAtTransform ?? expected;
        Refused(() => model.Transform(missing), expected, "fitted model's Transform");
        Refused(() => SaveAndLoad(ml, model, data.Schema).Transform(missing), expected, "loaded model's Transform");
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void NoRowsGiveATransformerOrAnErrorNamingTheColumn(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var empty = ml.Data.SkipRows(data, long.MaxValue);
        var made = c.Create(ml, c.NewOptions(ml));
        if (c.EmptyDataFits)
        {
            var model = made.Fit(empty);
            Assert.AreEqual(0, Count(model.Transform(empty)), "no rows in, no rows out");
            // The columns and raw types data gives (a vocabulary learned from no rows is the boundary alone: fewer key values).
            var expected = made.Fit(data).GetOutputSchema(data.Schema);
            CollectionAssert.AreEqual(RawTypes(expected), RawTypes(model.GetOutputSchema(empty.Schema)), "the schema is the one data gives");
        }
        else
        {
            var error = Assert.Throws<Exception>(() => made.Fit(empty));
            StringAssert.Contains(error.Message, $"'{c.InputColumn}'", "the error names the column");
            StringAssert.Contains(error.Message, "has no rows", "and says what is wrong");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void SavedAndLoadedInAFreshContextTheModelGivesIdenticalOutputs(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var model = c.Create(ml, c.NewOptions(ml)).Fit(data);
        var output = model.Transform(data);
        var columns = Visible(output.Schema).Select(c => c.Split(':')[0]).ToArray();
        var loaded = SaveAndLoad(ml, model, data.Schema);
        var reloaded = loaded.Transform(data);
        CollectionAssert.AreEqual(Visible(output.Schema), Visible(reloaded.Schema), "the loaded model's schema");
        CollectionAssert.AreEqual(EstimatorWorkout.ReadColumns(output, columns), EstimatorWorkout.ReadColumns(reloaded, columns), "every output value");
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void PreviewShowsNoInternalOrStateColumn(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var model = c.Create(ml, c.NewOptions(ml)).Fit(data);
        var input = data.Preview(maxRows: 5).Schema.Select(col => col.Name).ToList();
        int inputRepeats = input.Count - input.Distinct().Count(); // ML.NET's own steps upstream may leave hidden columns
        foreach (var (what, view) in new[] { ("fitted", model.Transform(data)), ("loaded", SaveAndLoad(ml, model, data.Schema).Transform(data)) })
        {
            var preview = view.Preview(maxRows: 5);
            var names = preview.Schema.Select(col => col.Name).ToList();
            Assert.IsFalse(names.Any(n => n.StartsWith("__Makemore", StringComparison.Ordinal)), $"{what}: an internal column in {string.Join(", ", names)}");
            Assert.AreEqual(inputRepeats, names.Count - names.Distinct().Count(), $"{what}: a column shown twice (a hidden one it added) in {string.Join(", ", names)}");
            foreach (var row in preview.RowView)
                foreach (var value in row.Values)
                    Assert.IsFalse(value.Value?.ToString()?.Contains("MKMC", StringComparison.Ordinal) == true, $"{what}: column {value.Key} shows a model's state");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void TheEstimatorCrossValidates(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        c.CrossValidate(ml, c.Create(ml, c.NewOptions(ml)), data);
    }

    [TestMethod]
    [DynamicData(nameof(Estimators))]
    public void ChangingTheOptionsAfterConstructionChangesNothing(string estimator)
    {
        var (c, ml, data) = Setup(estimator);
        var options = c.NewOptions(ml);
        var made = c.Create(ml, options);
        var twin = c.Create(ml, c.NewOptions(ml));
        var changeable = Mutate(options);

        var shared = Reachable(made).Where(o => changeable.Any(m => ReferenceEquals(m, o))).Select(o => o.GetType().Name).ToList();
        Assert.IsEmpty(shared, "the estimator holds the caller's mutable option objects: " + string.Join(", ", shared));
        var shape = EstimatorWorkout.Shape(data.Schema);
        Assert.AreEqual(Describe(twin.GetOutputSchema(shape)), Describe(made.GetOutputSchema(shape)), "the promised schema");
        var expected = twin.Fit(data).Transform(data);
        var actual = made.Fit(data).Transform(data);
        var columns = Visible(expected.Schema).Select(col => col.Split(':')[0]).ToArray();
        CollectionAssert.AreEqual(Visible(expected.Schema), Visible(actual.Schema), "the output schema");
        CollectionAssert.AreEqual(EstimatorWorkout.ReadColumns(expected, columns), EstimatorWorkout.ReadColumns(actual, columns), "the outputs");
    }

    private static (EstimatorCase Case, MLContext Ml, IDataView Data) Setup(string estimator)
    {
        var c = EstimatorCase.All.Single(x => x.Type.Name == estimator);
        var ml = new MLContext(seed: 1);
        return (c, ml, c.Data(ml));
    }

    private static void Refused(Action action, string expected, string where)
    {
        Exception? error = null;
        try
        {
            action();
        }
        catch (Exception e)
        {
            error = e;
        }
        Assert.IsNotNull(error, $"{where} accepted the input");
        StringAssert.Contains(error.Message, expected, $"{where}: {error.GetType().Name}");
    }

    private static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext(seed: 7).Model.Load(stream, out _);
    }

    private static List<string> Visible(DataViewSchema schema) => schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}:{c.Type}").ToList();

    private static List<string> RawTypes(DataViewSchema schema) => schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}:{c.Type.RawType}").ToList();

    private static string Describe(SchemaShape shape) => string.Join("; ", shape.Select(c => $"{c.Name}:{c.Kind}:{c.ItemType}:{c.IsKey}"));

    private static long Count(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
            rows++;
        return rows;
    }

    // Changes every value the caller can still change in an options object (and in the mutable objects it holds), and
    // returns those mutable objects.
    private static List<object> Mutate(object options)
    {
        var changeable = new List<object>();
        MutateInPlace(options, changeable, depth: 0);
        return changeable;
    }

    private static void MutateInPlace(object target, List<object> changeable, int depth)
    {
        changeable.Add(target);
        if (target is IList list)
        {
            if (!list.IsFixedSize)
                list.Clear();
            else if (list.Count > 0)
                list[0] = list[0] is { } first && first.GetType().IsValueType ? Activator.CreateInstance(first.GetType()) : null;
            return;
        }
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            object? value = property.GetValue(target);
            if (value is not null && depth < 4 && IsMutable(value))
            {
                MutateInPlace(value, changeable, depth + 1);
                continue;
            }
            if (property.SetMethod is { IsPublic: true } setter && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
                property.SetValue(target, Changed(property.PropertyType, value));
        }
    }

    private static bool IsMutable(object value) =>
        value is IList { IsReadOnly: false } ||
        (value is not string && !value.GetType().IsValueType && value.GetType().Namespace?.StartsWith("Makemore", StringComparison.Ordinal) == true &&
         value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.SetMethod is { IsPublic: true } s && !s.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit))));

    private static object? Changed(Type type, object? value)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return (string?)value + "Mutated";
        if (t == typeof(int)) return (value is int i ? i : 1) + 1;
        if (t == typeof(long)) return (value is long l ? l : 1) + 1;
        if (t == typeof(double)) return (value is double d ? d : 1) * 2 + 0.5;
        if (t == typeof(float)) return (value is float f ? f : 1) * 2 + 0.5f;
        if (t == typeof(bool)) return !(value is bool b && b);
        if (t == typeof(TimeSpan)) return (value is TimeSpan s ? s : TimeSpan.Zero) + TimeSpan.FromSeconds(1);
        if (t == typeof(CancellationToken)) return new CancellationToken(canceled: true);
        if (t.IsEnum)
        {
            var values = Enum.GetValues(t);
            int at = value is null ? -1 : Array.IndexOf(values, value);
            return values.GetValue((at + 1) % values.Length);
        }
        return t.IsValueType ? value : null;
    }

    // Every object an estimator holds, through our own types and collections.
    private static List<object> Reachable(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(object Value, int Depth)>([(root, 0)]);
        while (stack.Count > 0)
        {
            var (value, depth) = stack.Pop();
            if (!seen.Add(value) || depth > 6)
                continue;
            if (value is IEnumerable items and not string && value.GetType().Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true || value is Array)
            {
                foreach (var item in (IEnumerable)value)
                    if (item is not null && !item.GetType().IsPrimitive)
                        stack.Push((item, depth + 1));
                continue;
            }
            if (value.GetType().Namespace?.StartsWith("Makemore", StringComparison.Ordinal) != true)
                continue;
            for (var t = value.GetType(); t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (!field.FieldType.IsPrimitive && field.GetValue(value) is { } held && held is not string)
                        stack.Push((held, depth + 1));
        }
        return [.. seen];
    }
}
