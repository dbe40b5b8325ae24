using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Text;

/// <summary>
/// The boundary is a token (id 0) outside the alphabet, as in makemore.py, not the character '.': names with dots (package
/// names, initials) train, score and sample, their '.' with an id of its own.
/// </summary>
[TestClass]
public sealed class BoundaryTokenTests
{
    private static readonly string[] Dotted = ["mr. smith", "j.r.r", "zope.interface", "a.b", "emma", "st.john"];

    [TestMethod]
    public void ANameWithADotFitsScoresAndSamplesThroughMapCharactersToIds()
    {
        var ml = new MLContext(seed: 1);
        var names = ml.Data.LoadNames(Dotted);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2, Smoothing.AddK(1))).Fit(names);
        var vocabulary = model.LastTransformer.Model.Vocabulary;
        Assert.IsTrue(vocabulary.IdOf('.') >= 1, $"'.' is a character with an id ≥ 1 ({vocabulary})");
        Assert.AreEqual('.', vocabulary.SymbolOf(0), "the boundary is still displayed as '.'");

        var score = NameScorer.From(model).Score("j.r.r");
        Assert.IsTrue(double.IsFinite(score.LogLikelihood) && score.LogLikelihood < 0, $"log-likelihood {score.LogLikelihood}");
        Assert.AreEqual(6, score.PredictedCharacterCount, "five characters, dots included, and the end");

        var samples = NameGenerator.From(model).Generate(100, new SamplingOptions { Seed = 3 });
        Assert.IsTrue(samples.Any(s => s.Contains('.')), "a sample contains '.': " + string.Join(", ", samples.Take(10)));

        using var stream = new MemoryStream();
        ml.Model.Save(model, names.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(stream, out _);
        Assert.AreEqual(score.LogLikelihood, NameScorer.From(loaded).Score("j.r.r").LogLikelihood, "saved and loaded");
    }

    [TestMethod]
    public void ContextKeysTellTheBoundaryPaddingFromADot()
    {
        var ml = new MLContext(seed: 1);
        var names = ml.Data.LoadNames(["j.r", "ab"]);
        var vocabulary = CharacterVocabulary.Learn(["j.r", "ab"]);
        var events = ml.Data.ExpandCharacterEvents(names, new CharacterEventsOptions { BlockSize = 3, Vocabulary = vocabulary });
        var contexts = ml.Data.CreateEnumerable<KeyEvent>(events, reuseRowObject: false).Select(e => $"{e.Prefix}|{string.Join(",", e.Context)}>{e.Label}").ToArray();
        // Keys are ids + 1: the boundary 1, '.' 2, 'a' 3, 'b' 4, 'j' 5, 'r' 6.
        CollectionAssert.AreEqual(new[] { "|1,1,1>5", "j|1,1,5>2", "j.|1,5,2>6", "j.r|5,2,6>1", "|1,1,1>3", "a|1,1,3>4", "ab|1,3,4>1" }, contexts);

        var contextKeys = ml.Transforms.Text.MapCharacterContextToKeys("Context", "Prefix", blockSize: 3, vocabulary: vocabulary).Fit(events);
        using var stream = new MemoryStream();
        ml.Model.Save(contextKeys, events.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(stream, out _);
        foreach (var transformer in new ITransformer[] { contextKeys, loaded })
            CollectionAssert.AreEqual(contexts.Select(c => c[..c.IndexOf('>')]).ToArray(),
                ml.Data.CreateEnumerable<KeyEvent>(transformer.Transform(events), reuseRowObject: false).Select(e => $"{e.Prefix}|{string.Join(",", e.Context)}").ToArray(),
                "the per-prefix transform (fitted, and saved and loaded) pads with the boundary's key, and gives '.' its own");
        var learned = ml.Transforms.Text.MapCharacterContextToKeys("Context", "Prefix", blockSize: 1).Fit(ml.Data.LoadFromEnumerable(new[] { new PrefixRow { Prefix = "j.r" } }));
        Assert.IsTrue(learned.Vocabulary.IdOf('.') >= 1, $"a '.' in the prefixes is learned as a character ({learned.Vocabulary})");

        // The embedding lookup reads the keys by their KeyValues: the boundary's "<.>" and the character's "." are two rows.
        var table = Enumerable.Range(0, vocabulary.Size).Select(id => (float)id).ToArray();
        var embedded = ml.Transforms.Text.ApplyCharacterEmbedding("Features", "Context", new CharacterEmbeddings(vocabulary, 1, table)).Fit(events).Transform(events);
        var features = embedded.GetColumn<float[]>("Features").ToArray();
        CollectionAssert.AreEqual(new float[] { 0, 4, 1 }, features[2], "context of 'j.': the boundary (id 0), 'j' (4), '.' (1)");
    }

    private sealed class KeyEvent
    {
        public string Prefix { get; set; } = "";

        [VectorType]
        public uint[] Context { get; set; } = [];

        public uint Label { get; set; }
    }

    private sealed class PrefixRow
    {
        public string Prefix { get; set; } = "";
    }
}
