using Microsoft.ML;
using Makemore.ML.Sampling;

namespace Makemore.ML.Data;

/// <summary>How to split a name list into train / dev / test.</summary>
public enum SplitProtocol
{
    /// <summary>
    /// The lecture's split, reproduced exactly: Python's <c>random.seed(42); random.shuffle(words)</c>, then
    /// <c>n1 = int(0.8 n)</c>, <c>n2 = int(0.9 n)</c>. On makemore's names.txt: 25,626 / 3,203 / 3,204.
    /// </summary>
    Lecture,
    /// <summary>The same procedure (Python-compatible shuffle, 80/10/10) with a seed of your choice.</summary>
    Random,
    /// <summary>No split: train, dev and test are all the whole list (the lecture's first half trains and evaluates on everything).</summary>
    None,
}

/// <summary>Train, dev and test parts of a name list.</summary>
/// <param name="Train">About 80 %, to fit on.</param>
/// <param name="Dev">About 10 %, to tune hyper-parameters (smoothing, L2) on.</param>
/// <param name="Test">About 10 %, to report once at the end.</param>
public sealed record NameSplits<T>(T Train, T Dev, T Test);

/// <summary>Splits name lists; the same procedure backs the <c>IDataView</c> and the list overloads.</summary>
public static class NameSplitter
{
    /// <summary>The seed of <see cref="SplitProtocol.Lecture"/>.</summary>
    public const int LectureSeed = 42;

    /// <summary>Splits a list: Python-compatible shuffle with the seed, then 80/10/10 with Python's <c>int()</c> truncation.</summary>
    /// <param name="names">The items, in file order.</param>
    /// <param name="protocol">Lecture (seed 42), Random (<paramref name="seed"/>) or None.</param>
    /// <param name="seed">Seed for <see cref="SplitProtocol.Random"/>; ignored otherwise.</param>
    public static NameSplits<IReadOnlyList<string>> Split(IReadOnlyList<string> names, SplitProtocol protocol = SplitProtocol.Lecture, int seed = LectureSeed)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (protocol == SplitProtocol.None)
            return new(names, names, names);
        if (protocol != SplitProtocol.Lecture && protocol != SplitProtocol.Random)
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown split protocol.");
        if (seed < 0)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "The seed must be ≥ 0.");
        var shuffled = names.ToList();
        new PythonRandom(protocol == SplitProtocol.Lecture ? LectureSeed : seed).Shuffle(shuffled);
        int n1 = (int)(0.8 * shuffled.Count);
        int n2 = (int)(0.9 * shuffled.Count);
        return new(shuffled[..n1], shuffled[n1..n2], shuffled[n2..]);
    }
}
