using Makemore.ML.Data;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Internal;

/// <summary>Finds the names a model was trained on, split as in training, to report whether samples are in train, in dev/test or new.</summary>
internal static class NoveltyData
{
    /// <summary>
    /// The classifier for <paramref name="input"/> (or the model's "data" metadata) split by <paramref name="split"/> (or
    /// the model's "split" metadata, or lecture); null when no data is known or the file is gone, with the reason in
    /// <paramref name="note"/> (otherwise the file and split used).
    /// </summary>
    public static NoveltyClassifier? Load(string? input, string? split, int splitSeed, IReadOnlyDictionary<string, string> metadata, out string note)
    {
        string? path = input ?? (metadata.TryGetValue("data", out string? saved) ? saved : null);
        string protocolName = split ?? (metadata.TryGetValue("split", out string? savedSplit) ? savedSplit : "lecture");
        var protocol = DataFiles.ParseSplit(protocolName);
        if (path is null)
        {
            note = "the model does not say what data it was trained on; give it with --input";
            return null;
        }
        if (input is null && !File.Exists(path))
        {
            note = $"the training data {path} named in the model is not found; give it with --input";
            return null;
        }
        var names = DataFiles.Read(DataFiles.Resolve(path));
        note = $"{path}, split {protocolName}";
        if (protocol == SplitProtocol.None)
            return new NoveltyClassifier(names, []);
        return NoveltyClassifier.From(NameSplitter.Split(names, protocol, splitSeed));
    }
}
