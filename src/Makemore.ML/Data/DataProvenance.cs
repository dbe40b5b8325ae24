using System.Globalization;
using System.Security.Cryptography;

namespace Makemore.ML.Data;

/// <summary>
/// What data a model was fitted on, and how it was split: the file (its path, SHA-256 and number of names), the split
/// protocol and, for <see cref="SplitProtocol.Random"/>, its seed. Saved in a model's metadata, so that a figure is
/// reported for the part the model was split on (its test part is the one it never saw), and so that models, teachers
/// and checkpoints of different data are not mixed.
/// </summary>
/// <param name="File">The data file's full path when the model was fitted.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes, lower-case hex: the identity of the data (the path may move).</param>
/// <param name="NameCount">How many names the file holds.</param>
/// <param name="Split">The split protocol of the run.</param>
/// <param name="SplitSeed">The seed of the split: <see cref="NameSplitter.LectureSeed"/> unless <see cref="Split"/> is Random or MakemorePy.</param>
public sealed record DataProvenance(string File, string Sha256, int NameCount, SplitProtocol Split, int SplitSeed)
{
    /// <summary>Metadata key of the data file's path (the key older models have too).</summary>
    public const string DataKey = "data";

    /// <summary>Metadata key of the data file's SHA-256.</summary>
    public const string Sha256Key = "data_sha256";

    /// <summary>Metadata key of the number of names in the data file.</summary>
    public const string NameCountKey = "data_names";

    /// <summary>Metadata key of the split protocol (lecture, random, none or makemore-py).</summary>
    public const string SplitKey = "split";

    /// <summary>Metadata key of the longest name kept (names longer were left out before the split).</summary>
    public const string MaxNameLengthKey = "max_name_length";

    /// <summary>Metadata key of the split seed.</summary>
    public const string SplitSeedKey = "split_seed";

    /// <summary>
    /// When set, names longer than this were left out of the file's names before the split (<c>train --max-name-length</c>):
    /// reading the file again must leave them out too, or the parts are not the model's.
    /// </summary>
    public int? MaxNameLength { get; init; }

    /// <summary>The file's names as the run used them: those longer than <see cref="MaxNameLength"/> left out.</summary>
    public IReadOnlyList<string> Select(IReadOnlyList<string> names) => NamesUpTo(names, MaxNameLength);

    /// <summary>The names of at most <paramref name="maxNameLength"/> characters, in order; all of them when it is null.</summary>
    public static IReadOnlyList<string> NamesUpTo(IReadOnlyList<string> names, int? maxNameLength) =>
        maxNameLength is int max ? names.Where(n => n.Length <= max).ToList() : names;

    /// <summary>The provenance of the names read from <paramref name="path"/>, split by <paramref name="split"/>.</summary>
    /// <param name="path">The data file; its bytes are hashed.</param>
    /// <param name="nameCount">How many names were read from it.</param>
    /// <param name="split">The split protocol.</param>
    /// <param name="splitSeed">The seed of a Random or MakemorePy split (ignored, and recorded as the lecture's, otherwise).</param>
    public static DataProvenance Of(string path, int nameCount, SplitProtocol split, int splitSeed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(Path.GetFullPath(path), HashFile(path), nameCount, split, NameSplitter.IsSeeded(split) ? splitSeed : NameSplitter.LectureSeed);
    }

    /// <summary>The SHA-256 of a file's bytes, lower-case hex.</summary>
    public static string HashFile(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The short name of a split protocol, as the CLI spells it (lecture, random, none, makemore-py).</summary>
    public static string NameOf(SplitProtocol split) => split switch
    {
        SplitProtocol.Lecture => "lecture",
        SplitProtocol.Random => "random",
        SplitProtocol.None => "none",
        SplitProtocol.MakemorePy => "makemore-py",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split protocol."),
    };

    /// <summary>The split protocol a short name names, or null.</summary>
    public static SplitProtocol? ParseSplit(string? name) => name switch
    {
        "lecture" => SplitProtocol.Lecture,
        "random" => SplitProtocol.Random,
        "none" => SplitProtocol.None,
        "makemore-py" => SplitProtocol.MakemorePy,
        _ => null,
    };

    /// <summary>True when <paramref name="other"/> is the same data (by content) split the same way: the same train, dev and test parts.</summary>
    public bool SameSplitAs(DataProvenance other) =>
        other is not null && Sha256 == other.Sha256 && Split == other.Split && SplitSeed == other.SplitSeed && MaxNameLength == other.MaxNameLength;

    /// <summary>The metadata entries that record this provenance; <paramref name="prefix"/> names a component (e.g. <c>teacher_</c>).</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata(string prefix = "")
    {
        yield return new(prefix + DataKey, File);
        yield return new(prefix + Sha256Key, Sha256);
        yield return new(prefix + NameCountKey, NameCount.ToString(CultureInfo.InvariantCulture));
        yield return new(prefix + SplitKey, NameOf(Split));
        yield return new(prefix + SplitSeedKey, SplitSeed.ToString(CultureInfo.InvariantCulture));
        if (MaxNameLength is int max)
            yield return new(prefix + MaxNameLengthKey, max.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The provenance recorded in a model's metadata, or null when it records none (a model fitted through the API on an
    /// <c>IDataView</c>, or one saved before provenance was recorded: its file's hash is unknown).
    /// </summary>
    public static DataProvenance? FromMetadata(IReadOnlyDictionary<string, string> metadata, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(prefix + DataKey, out string? file) || !metadata.TryGetValue(prefix + Sha256Key, out string? sha)
            || !metadata.TryGetValue(prefix + SplitKey, out string? splitName) || ParseSplit(splitName) is not SplitProtocol split)
            return null;
        int names = metadata.TryGetValue(prefix + NameCountKey, out string? n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int count) ? count : 0;
        int seed = metadata.TryGetValue(prefix + SplitSeedKey, out string? s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : NameSplitter.LectureSeed;
        int? maxLength = metadata.TryGetValue(prefix + MaxNameLengthKey, out string? m) && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out int longest)
            ? longest
            : null;
        return new(file, sha, names, split, seed) { MaxNameLength = maxLength };
    }

    /// <summary>The data in a few words: <c>/data/names.txt (32,033 names, sha256 1a2b3c4d5e6f)</c>.</summary>
    public string DataDescription => string.Create(CultureInfo.InvariantCulture, $"{File} ({NameCount:N0} names, sha256 {Sha256[..Math.Min(12, Sha256.Length)]})");

    /// <summary>The split in a few words: <c>split lecture</c> or <c>split random (seed 1)</c>.</summary>
    public string SplitDescription => DescribeSplit(Split, SplitSeed)
        + (MaxNameLength is int max ? string.Create(CultureInfo.InvariantCulture, $" of the names of at most {max} characters") : "");

    /// <summary>A split in a few words: <c>split lecture</c>, or <c>split random (seed 1)</c> (only a random split's seed matters).</summary>
    public static string DescribeSplit(SplitProtocol split, int seed) => NameSplitter.IsSeeded(split)
        ? string.Create(CultureInfo.InvariantCulture, $"split {NameOf(split)} (seed {seed})")
        : $"split {NameOf(split)}";

    /// <inheritdoc/>
    public override string ToString() => $"{DataDescription}, {SplitDescription}";
}
