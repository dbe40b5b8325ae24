using Makemore.ML.Data;

namespace Makemore.Cli.Internal;

/// <summary>
/// Checks that a model a run builds on (an interpolation's component, a distillation's teacher) was fitted on the run's
/// own file and split: otherwise its "test" part holds names that model was fitted on, and the figure is not a test figure.
/// </summary>
internal static class SameData
{
    /// <summary>The flag that accepts models of other data (and drops the claim of an unseen test figure).</summary>
    public const string OptOutFlag = "--allow-other-data";

    /// <summary>
    /// Null when the model at <paramref name="modelPath"/> was fitted on <paramref name="run"/>'s file and split; otherwise
    /// the reason, in one line naming the model and both files.
    /// </summary>
    public static string? Mismatch(string modelPath, IReadOnlyDictionary<string, string> metadata, DataProvenance run)
    {
        var theirs = DataProvenance.FromMetadata(metadata);
        if (theirs is null)
            return $"{modelPath} does not record the data it was trained on, so its names may be in this run's test part ({run.DataDescription})";
        if (theirs.Sha256 != run.Sha256)
            return $"{modelPath} was trained on {theirs.DataDescription}, not on this run's {run.DataDescription}";
        if (!theirs.SameSplitAs(run))
            return $"{modelPath} was trained on {theirs.SplitDescription} of {run.File}, this run uses {run.SplitDescription}: its test part holds names the model was fitted on";
        return null;
    }

    /// <summary>Throws a usage error naming the model, both files and the opt-out, when <see cref="Mismatch"/> finds one and the user did not opt out.</summary>
    /// <returns>The mismatch the user accepted with the opt-out, or null when there is none.</returns>
    public static string? Require(string modelPath, IReadOnlyDictionary<string, string> metadata, DataProvenance run, string role, bool allowOtherData)
    {
        string? mismatch = Mismatch(modelPath, metadata, run);
        if (mismatch is not null && !allowOtherData)
            throw new UsageException($"{role} {mismatch}; train it on the same file and split, or pass {OptOutFlag} (then no figure is a test figure)");
        return mismatch;
    }
}
