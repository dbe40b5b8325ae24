using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// Where a saved model's state lives: since the hash route, in a built-in <c>HashingTransformer</c>'s key values, handed to
/// every row by <c>MapKeyToValue</c>; the <c>ValueMapping</c> of unreleased development versions is refused.
/// </summary>
[TestClass]
public sealed class StateRouteTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [TestMethod]
    public void EveryRowGetsTheSameStateStringAfterAPlainLoad()
    {
        string state = ModelState.EncodeVocabulary(CharacterVocabulary.FromCharacters("abc"));
        var data = Ml.Data.LoadNames(["x", "y", "z"]);
        var chain = StateChain.Estimator(Catalogs.Of(Ml), [], "S", state, Ml.Transforms.CopyColumns("Copy", "S"), [], []).Fit(data);
        using var stream = new MemoryStream();
        Ml.Model.Save(chain, data.Schema, stream);
        var loaded = new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);

        var output = loaded.Transform(Ml.Data.LoadNames(["a", "b", "c", "d", "e"]));
        Assert.IsNull(output.Schema.GetColumnOrNull(StateChain.KeyTextColumn), "temporaries are dropped");
        using var cursor = output.GetRowCursor([output.Schema["S"]]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["S"]);
        string? first = null;
        int rows = 0;
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            Assert.IsTrue(MemoryMarshal.TryGetString(value, out string? text, out int start, out int length));
            Assert.AreEqual(0, start);
            Assert.AreEqual(text!.Length, length, "the whole string, not a slice");
            Assert.AreEqual(state, text);
            first ??= text;
            Assert.AreSame(first, text, "the same instance for every row");
            rows++;
        }
        Assert.AreEqual(5, rows);
        Assert.AreSame(first, StateChain.ReadHashedState(((TransformerChain<ITransformer>)loaded).First(t => t is Microsoft.ML.Transforms.HashingTransformer), "S"));
    }

    [TestMethod]
    public void ASavedFileHoldsTheStateOnceAndNoValueMapping()
    {
        var (model, _) = ModelFileTests.Trigram();
        byte[] bytes = ModelFileTests.SavedTrigram();
        using var zip = new ZipArchive(new MemoryStream(bytes));
        Assert.IsFalse(zip.Entries.Any(e => e.FullName.EndsWith("DefaultMap.idv", StringComparison.Ordinal)));
        Assert.IsFalse(zip.Entries.Any(e => e.FullName.EndsWith("Terms.txt", StringComparison.Ordinal)), "the readable copy of the state is left out");
        // Without the copy ML.NET's own Model.Load still loads the file.
        var plain = new MLContext().Model.Load(new MemoryStream(bytes), out _);
        CollectionAssert.AreEqual(ModelFileTests.Scores(model), ModelFileTests.Scores(plain));
    }

    [TestMethod]
    public void AFileWithTheValueMappingRouteOfUnreleasedVersionsIsRefused()
    {
        var (model, train) = ModelFileTests.Trigram();
        // The state stage unreleased development versions wrote: ValueMapping(key → state) in place of the hash and MapKeyToValue.
        var old = Ml.Transforms.CustomMapping(new StateKeyMapping().GetMapping(), StateKeyMapping.ContractName)
            .Append(Ml.Transforms.Conversion.MapValue(LanguageModelScoreMapping.ModelColumn,
                [new KeyValuePair<uint, string>(StateChain.Key, ModelState.EncodeModel(MakemoreModel.GetLanguageModel(model)))], StateChain.KeyColumn))
            .Fit(train);
        using var stream = new MemoryStream();
        Ml.Makemore().Save(old, train.Schema, stream);
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(stream.ToArray()), out _));
        StringAssert.Contains(error.Message, "unreleased development version");
        var plain = new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);
        Assert.ThrowsExactly<ModelFileDamagedException>(() => MakemoreModel.GetLanguageModel(plain));
    }
}
