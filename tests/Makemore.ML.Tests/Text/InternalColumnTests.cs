using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Text;

/// <summary>No column of ours (named with <see cref="StateChain.Prefix"/>) reaches a user: not in Transform's output, hidden or not, nor in Preview.</summary>
[TestClass]
public sealed class InternalColumnTests
{
    [TestMethod]
    public void NoOutputOfOursShowsAnInternalColumn()
    {
        var ml = new MLContext(seed: 1);
        var names = ml.Data.LoadNames(TestData.Tiny);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(names);
        var ngram = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey())).Fit(names);
        using var saved = new MemoryStream();
        ml.Makemore().Save(ngram, names.Schema, saved);
        saved.Position = 0;
        var loaded = new MLContext(seed: 2).Makemore().Load(saved, out _);
        var events = ml.Data.ExpandCharacterEvents(names, blockSize: 3);
        var context = ml.Transforms.Text.MapCharacterContextToKeys("Context", "Prefix", blockSize: 3).Fit(events);
        var embeddings = new CharacterEmbeddings(context.Vocabulary, 2, new float[context.Vocabulary.Size * 2]);
        var embedded = ml.Transforms.Text.ApplyCharacterEmbedding("Features", "Context", embeddings).Fit(events);

        var outputs = new (string What, IDataView View)[]
        {
            ("MapCharactersToIds", ids.Transform(names)),
            ("NGram", ngram.Transform(names)),
            ("NGram, loaded", loaded.Transform(names)),
            ("ExpandCharacterEvents", events),
            ("MapCharacterContextToKeys", context.Transform(events)),
            ("ApplyCharacterEmbedding", embedded.Transform(events)),
        };
        foreach (var (what, view) in outputs)
        {
            var inSchema = view.Schema.Select(c => c.Name).Where(n => n.StartsWith(StateChain.Prefix, StringComparison.Ordinal)).ToArray();
            var inPreview = view.Preview(maxRows: 2).ColumnView.Select(c => c.Column.Name).Where(n => n.StartsWith(StateChain.Prefix, StringComparison.Ordinal)).ToArray();
            Assert.AreEqual(0, inSchema.Length + inPreview.Length, $"{what}: {string.Join(", ", inSchema.Concat(inPreview))}");
        }

        // The vocabulary still reaches the trainers, in an annotation of the ids (no hidden column: Preview shows hidden ones).
        var schema = ids.Transform(names).Schema;
        Assert.IsFalse(schema.Any(c => c.IsHidden && c.Name == "Ids"), "no hidden column behind the ids");
        Assert.IsNotNull(schema["Ids"].Annotations.Schema.GetColumnOrNull(CharacterIdsMapping.VocabularyAnnotation), "the ids carry the vocabulary");
        Assert.AreEqual(3, ((NGramModel)MakemoreModel.GetLanguageModel(ngram)).Order);
    }
}
