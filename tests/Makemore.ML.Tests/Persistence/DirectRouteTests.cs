using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// A fitted façade transforms and serves <c>PredictionEngine</c> through its direct route, and saves through the chain of
/// built-in transformers; the two must give the same schema (names, types, hidden columns, order) and the same values.
/// </summary>
[TestClass]
public sealed class DirectRouteTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static readonly string[] Names = [.. TestData.Tiny, "zoe", "x", "", "annabella-marie".Replace("-", "")];

    private static (CharacterIdsTransformer Ids, LanguageModelTransformer Model) Fit(IDataView data, Smoothing? smoothing = null)
    {
        var ids = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Fit(data);
        var model = Ml.Makemore().Trainers.NGram(order: 3, smoothing: smoothing ?? Smoothing.KneserNey()).Fit(ids.Transform(data));
        return (ids, model);
    }

    [TestMethod]
    public void FitTransformAndPredictionEngineDoNotBuildTheChain()
    {
        var data = Ml.Data.LoadNames(TestData.Tiny);
        var (ids, model) = Fit(data);
        var pipeline = new TransformerChain<ITransformer>(ids, model);
        Consume(pipeline.Transform(data));
        var engine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(pipeline);
        engine.Predict(new NameInput { Name = "emma" });
        Assert.IsFalse(ids.ChainBuilt, "the ids façade went through its chain");
        Assert.IsFalse(model.ChainBuilt, "the model façade went through its chain");

        using var stream = new MemoryStream();
        Ml.Model.Save(pipeline, data.Schema, stream);
        Assert.IsTrue(ids.ChainBuilt && model.ChainBuilt, "saving needs the chains");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TheDirectRouteHasTheChainsSchema(bool inputHasClashingColumns)
    {
        var data = inputHasClashingColumns
            ? Ml.Data.LoadFromEnumerable(Names.Select(n => new Clashing { Name = n, Ids = 1.5f, LogLikelihood = "old" }))
            : Ml.Data.LoadNames(Names);
        var (ids, model) = Fit(Ml.Data.LoadNames(TestData.Tiny.Append("zxbnannabellamarie")));
        foreach (var (facade, input) in new (FacadeTransformer, DataViewSchema)[] { (ids, data.Schema), (model, ids.GetOutputSchema(data.Schema)) })
        {
            var direct = facade.GetOutputSchema(input);
            var chain = facade.Inner.GetOutputSchema(input);
            Assert.AreEqual(Describe(chain), Describe(direct));
            Assert.AreEqual(Describe(chain), Describe(facade.GetRowToRowMapper(input).OutputSchema));
        }
    }

    [TestMethod]
    public void TheDirectRouteHasTheChainsValues()
    {
        var (ids, model) = Fit(Ml.Data.LoadNames(TestData.Tiny.Append("zxbnannabellamarie")), Smoothing.AddK(0.5));
        var data = Ml.Data.LoadNames(Names);
        var direct = model.Transform(ids.Transform(data));
        var chain = model.Inner.Transform(ids.Inner.Transform(data));
        Assert.AreEqual(Read(chain), Read(direct));
        Assert.AreEqual(Names.Length, Read(direct).Split('\n').Length - 1);

        var directEngine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(new TransformerChain<ITransformer>(ids, model));
        var chainEngine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(new TransformerChain<ITransformer>(ids.Inner, model.Inner));
        foreach (string name in Names.Concat(Names)) // twice: each engine reuses its buffers
        {
            var a = directEngine.Predict(new NameInput { Name = name });
            var b = chainEngine.Predict(new NameInput { Name = name });
            Assert.AreEqual(b.LogLikelihood, a.LogLikelihood, name);
            Assert.AreEqual(b.NllPerCharacter, a.NllPerCharacter, name);
            Assert.AreEqual(b.Perplexity, a.Perplexity, name);
            Assert.AreEqual(b.PredictedCharacterCount, a.PredictedCharacterCount, name);
            CollectionAssert.AreEqual(b.NextCharacterProbabilities, a.NextCharacterProbabilities, name);
        }
    }

    [TestMethod]
    public void TheTrainerReadsTheVocabularyObjectTheIdsCarry()
    {
        var data = Ml.Data.LoadNames(TestData.Tiny);
        var (ids, model) = Fit(data);
        Assert.AreSame(ids.Vocabulary, model.Model.Vocabulary);
    }

    [TestMethod]
    public void ParallelCursorsGiveTheSameRowsAsOne()
    {
        var names = Enumerable.Range(0, 2000).Select(i => TestData.Tiny[i % TestData.Tiny.Length][..(1 + i % 3)]).ToArray();
        var data = Ml.Data.LoadNames(names);
        var (ids, model) = Fit(data);
        var output = model.Transform(ids.Transform(data));
        var column = output.Schema[ScoreColumns.LogLikelihood];
        var expected = names.Select(n => NameScorer.From(model).Score(n).LogLikelihood).Order().ToArray();
        var seen = new List<double>();
        foreach (var cursor in output.GetRowCursorSet([column], 4))
            using (cursor)
            {
                var getter = cursor.GetGetter<double>(column);
                double value = 0;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    seen.Add(value);
                }
            }
        CollectionAssert.AreEqual(expected, seen.Order().ToArray());
    }

    [TestMethod]
    public void ALoadedModelGetsItsFacadesBackWithTheSameValues()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny.Append("zxbnannabellamarie"));
        var (ids, model) = Fit(train);
        using var stream = new MemoryStream();
        Ml.Makemore().Save(new TransformerChain<ITransformer>(ids, model), train.Schema, stream);
        byte[] zip = stream.ToArray();

        var restored = new MLContext().Makemore().Load(new MemoryStream(zip), out var schema);
        var plain = new MLContext().Model.Load(new MemoryStream(zip), out _);
        var parts = ((TransformerChain<ITransformer>)restored).ToArray();
        Assert.IsInstanceOfType<CharacterIdsTransformer>(parts[0]);
        Assert.IsInstanceOfType<LanguageModelTransformer>(parts[1]);
        Assert.IsFalse(((TransformerChain<ITransformer>)plain).Any(p => p is FacadeTransformer), "plain Model.Load gives the built-in chain");

        var data = Ml.Data.LoadNames(Names);
        Assert.AreEqual(Describe(plain.GetOutputSchema(schema)), Describe(restored.GetOutputSchema(schema)));
        Assert.AreEqual(Read(plain.Transform(data)), Read(restored.Transform(data)));
        var a = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(restored).Predict(new NameInput { Name = "annabella" });
        var b = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(plain).Predict(new NameInput { Name = "annabella" });
        Assert.AreEqual(b.LogLikelihood, a.LogLikelihood);
        CollectionAssert.AreEqual(b.NextCharacterProbabilities, a.NextCharacterProbabilities);

        using var again = new MemoryStream();
        Ml.Makemore().Save(restored, schema, again);
        Assert.AreEqual(Read(plain.Transform(data)), Read(new MLContext().Model.Load(new MemoryStream(again.ToArray()), out _).Transform(data)), "a restored model saves the same chain");
    }

    [TestMethod]
    [DataRow("Ids")]
    [DataRow("Name")]
    [DataRow("Other")]
    public void EstimatorsPromiseTheChainsShapeEveryTime(string idsName)
    {
        var data = Ml.Data.LoadFromEnumerable(Names.Select(n => new Clashing { Name = n, Ids = 1.5f, LogLikelihood = "old" }));
        var input = EstimatorWorkout.Shape(data.Schema);
        var catalogs = Catalogs.Of(Ml);
        var ids = Ml.Transforms.Text.MapCharactersToIds(idsName, "Name");
        string idsChain = Describe(CharacterIdsEstimator.Chain(catalogs, CharacterVocabulary.FromCharacters(""), idsName, "Name").GetOutputSchema(input));
        Assert.AreEqual(idsChain, Describe(ids.GetOutputSchema(input)));
        Assert.AreEqual(idsChain, Describe(ids.GetOutputSchema(input)), "the second answer, from the kept shapes");

        var withIds = ids.GetOutputSchema(input);
        var trainer = Ml.Makemore().Trainers.NGram(new NGramEstimator.Options { IdsColumnName = idsName, Order = 2 });
        string scoreChain = Describe(LanguageModelTransformer.Chain(catalogs, ModelState.EncodeVocabulary(CharacterVocabulary.FromCharacters("")), idsName).GetOutputSchema(withIds));
        Assert.AreEqual(scoreChain, Describe(trainer.GetOutputSchema(withIds)));
        Assert.AreEqual(scoreChain, Describe(trainer.GetOutputSchema(withIds)), "the second answer, from the kept shapes");
    }

    private static string Describe(SchemaShape shape) =>
        string.Join("\n", shape.Select(c => $"{c.Name} {c.Kind} {c.ItemType} key={c.IsKey} annotations=[{string.Join(",", c.Annotations.Select(a => a.Name))}]"));

    private static void Consume(IDataView view)
    {
        using var cursor = view.GetRowCursor(view.Schema);
        while (cursor.MoveNext())
        {
        }
    }

    // The direct route's ids also carry the vocabulary annotation, for the trainers downstream (the chain has no way to add one).
    private static string Describe(DataViewSchema schema) =>
        string.Join("\n", schema.Select(c => $"{c.Index} {c.Name} {c.Type} hidden={c.IsHidden} annotations=[{string.Join(",", c.Annotations.Schema.Select(a => a.Name).Where(a => a != CharacterIdsMapping.VocabularyAnnotation))}]"));

    // Every visible column of every row, as text.
    private static string Read(IDataView view)
    {
        var text = new System.Text.StringBuilder();
        var columns = view.Schema.Where(c => !c.IsHidden).ToArray();
        using var cursor = view.GetRowCursor(columns);
        var getters = columns.Select(c => Reader(cursor, c)).ToArray();
        while (cursor.MoveNext())
            text.AppendLine(string.Join(" | ", getters.Select(g => g())));
        return text.ToString();
    }

    private static Func<string> Reader(DataViewRow row, DataViewSchema.Column column) => column.Type switch
    {
        TextDataViewType => Of<ReadOnlyMemory<char>>(row, column, v => v.ToString()),
        VectorDataViewType { ItemType: var t } when t == NumberDataViewType.Int32 => Of<VBuffer<int>>(row, column, v => string.Join(",", v.DenseValues())),
        VectorDataViewType { ItemType: var t } when t == NumberDataViewType.Single => Of<VBuffer<float>>(row, column, v => string.Join(",", v.DenseValues().Select(x => x.ToString("R")))),
        var t when t == NumberDataViewType.Double => Of<double>(row, column, v => v.ToString("R")),
        var t when t == NumberDataViewType.Int32 => Of<int>(row, column, v => v.ToString()),
        var t when t == NumberDataViewType.Single => Of<float>(row, column, v => v.ToString("R")),
        var t => throw new AssertFailedException($"no reader for {t}"),
    };

    private static Func<string> Of<T>(DataViewRow row, DataViewSchema.Column column, Func<T, string> format)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return format(value);
        };
    }

    private sealed class Clashing
    {
        public string Name { get; set; } = "";
        public float Ids { get; set; }
        public string LogLikelihood { get; set; } = "";
    }
}
