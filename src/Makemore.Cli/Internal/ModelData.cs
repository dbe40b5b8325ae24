using Makemore.ML.Data;

namespace Makemore.Cli.Internal;

/// <summary>
/// The data a command that judges a saved model reads (eval's figures, sample's and serve's novelty report): by default
/// the model's own file and split, from its provenance, so that its test part is the one it never saw. A file or split
/// the user gives instead is used, and <see cref="Note"/> says in one line how it differs from the model's.
/// </summary>
/// <param name="Path">The names file read.</param>
/// <param name="Names">Its names.</param>
/// <param name="Split">The split applied to them.</param>
/// <param name="SplitSeed">The seed of a random split.</param>
/// <param name="Note">One line when the data or split is not the model's own (or the model records none); else null.</param>
internal sealed record ModelData(string Path, IReadOnlyList<string> Names, SplitProtocol Split, int SplitSeed, string? Note)
{
    /// <summary>The split in a few words, as a report's heading gives it.</summary>
    public string SplitDescription => DataProvenance.DescribeSplit(Split, SplitSeed);

    /// <summary>
    /// Resolves the data: <paramref name="input"/>, else the model's file, else the bundled names; <paramref name="split"/>,
    /// else the model's split, else <paramref name="fallbackSplit"/>; <paramref name="splitSeed"/>, else the model's seed
    /// when the split is the model's, else the lecture's.
    /// </summary>
    /// <exception cref="UsageException">The model's data file is gone and no other was given.</exception>
    public static ModelData Resolve(DataProvenance? model, string? input, string? split, int? splitSeed, SplitProtocol fallbackSplit)
    {
        if (input is null && model is not null && !File.Exists(model.File))
            throw new UsageException($"the training data {model.File} named in the model is not found; give it with --input");
        string path = DataFiles.Resolve(input ?? model?.File);
        // The names as the model's run used them: a file the run read with --max-name-length is read the same way.
        var names = model?.Select(DataFiles.Read(path)) ?? DataFiles.Read(path);
        var protocol = split is not null ? DataFiles.ParseSplit(split) : model?.Split ?? fallbackSplit;
        int seed = splitSeed ?? (model is not null && model.Split == protocol ? model.SplitSeed
            : protocol == SplitProtocol.MakemorePy ? NameSplitter.MakemorePySeed : NameSplitter.LectureSeed);
        return new ModelData(path, names, protocol, seed, NoteFor(model, path, protocol, seed));
    }

    /// <summary>The parts of the split, in order (one part, all, under no split).</summary>
    public IReadOnlyList<(string Part, IReadOnlyList<string> Names)> Parts() => DataFiles.Parts(Names, Split, SplitSeed);

    private static string? NoteFor(DataProvenance? model, string path, SplitProtocol split, int seed)
    {
        if (model is null)
            return "note: the model does not record the data it was trained on; these figures may include names it was fitted on";
        if (DataProvenance.HashFile(path) != model.Sha256)
            return $"note: {path} is not the data the model was trained on ({model.DataDescription}); these figures are for other data";
        var here = model with { Split = split, SplitSeed = NameSplitter.IsSeeded(split) ? seed : NameSplitter.LectureSeed };
        return here.SameSplitAs(model) ? null
            : $"note: the model was trained on its file's {model.SplitDescription}; this is {here.SplitDescription}, whose parts mix the model's train, dev and test names";
    }
}
