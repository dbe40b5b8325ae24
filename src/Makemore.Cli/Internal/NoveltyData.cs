using Makemore.ML.Data;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Internal;

/// <summary>Finds the names a model was trained on, split as in training, to report whether samples are in train, in dev/test or new.</summary>
internal static class NoveltyData
{
    /// <summary>
    /// The classifier for <paramref name="input"/> (or the model's own data file, from its provenance) split by
    /// <paramref name="split"/> and <paramref name="splitSeed"/> (or the model's own); null when the model records no
    /// data and none is given, or its file is gone, with the reason in <paramref name="note"/> (otherwise the file and
    /// split used, and how they differ from the model's).
    /// </summary>
    public static NoveltyClassifier? Load(string? input, string? split, int? splitSeed, IReadOnlyDictionary<string, string> metadata, out string note)
    {
        var provenance = DataProvenance.FromMetadata(metadata);
        if (input is null && provenance is null)
        {
            note = "the model does not say what data it was trained on; give it with --input";
            return null;
        }
        if (input is null && !File.Exists(provenance!.File))
        {
            note = $"the training data {provenance.File} named in the model is not found; give it with --input";
            return null;
        }
        var data = ModelData.Resolve(provenance, input, split, splitSeed, SplitProtocol.Lecture);
        note = $"{data.Path}, {data.SplitDescription}" + (data.Note is null ? "" : $" ({data.Note})");
        if (data.Split == SplitProtocol.None)
            return new NoveltyClassifier(data.Names, []);
        return NoveltyClassifier.From(NameSplitter.Split(data.Names, data.Split, data.SplitSeed));
    }
}
