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
    /// <summary>
    /// makemore.py's split, reproduced exactly: <c>torch.manual_seed(seed)</c> (its <c>--seed</c>, default
    /// <see cref="NameSplitter.MakemorePySeed"/>), <c>rp = torch.randperm(n)</c>, a test part of the last
    /// <c>min(1000, int(0.1 n))</c> indices of <c>rp</c> and a train part of the others, in <c>rp</c>'s order. makemore.py
    /// has no dev part (it keeps the checkpoint with the best test loss): the dev part is empty.
    /// </summary>
    MakemorePy,
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

    /// <summary>The seed of <see cref="SplitProtocol.MakemorePy"/> unless another is given: makemore.py's <c>--seed</c> default.</summary>
    public const int MakemorePySeed = 3407;

    /// <summary>Whether a split depends on its seed (Random and MakemorePy); the others always use <see cref="LectureSeed"/>'s shuffle or none.</summary>
    public static bool IsSeeded(SplitProtocol protocol) => protocol is SplitProtocol.Random or SplitProtocol.MakemorePy;

    /// <summary>
    /// Splits a list: Python-compatible shuffle with the seed, then 80/10/10 with Python's <c>int()</c> truncation; or
    /// makemore.py's <c>torch.randperm</c> split (<see cref="SplitProtocol.MakemorePy"/>).
    /// </summary>
    /// <param name="names">The items, in file order.</param>
    /// <param name="protocol">Lecture (seed 42), Random (<paramref name="seed"/>), MakemorePy (<paramref name="seed"/>) or None.</param>
    /// <param name="seed">Seed for <see cref="SplitProtocol.Random"/> and <see cref="SplitProtocol.MakemorePy"/>; ignored otherwise.</param>
    public static NameSplits<IReadOnlyList<string>> Split(IReadOnlyList<string> names, SplitProtocol protocol = SplitProtocol.Lecture, int seed = LectureSeed)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (protocol == SplitProtocol.None)
            return new(names, names, names);
        var parts = Indices(names.Count, protocol, seed);
        return new(Pick(parts.Train), Pick(parts.Dev), Pick(parts.Test));

        List<string> Pick(int[] indices) => indices.Select(i => names[i]).ToList();
    }

    /// <summary>
    /// <see cref="Split(IReadOnlyList{string}, SplitProtocol, int)"/> of names held in one buffer: each part in a buffer
    /// of its own, and no string made (<c>makemore train</c> holds every part through the fit).
    /// </summary>
    internal static NameSplits<NameBuffer> Split(NameBuffer names, SplitProtocol protocol, int seed)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (protocol == SplitProtocol.None)
            return new(names, names, names);
        var parts = Indices(names.Count, protocol, seed);
        return new(names.Gather(parts.Train), names.Gather(parts.Dev), names.Gather(parts.Test));
    }

    // The indices (in file order) of each part of a split of `count` names, in the part's order: the shuffle moves indices
    // as it would move the names (it depends on the count and the seed alone).
    private static NameSplits<int[]> Indices(int count, SplitProtocol protocol, int seed)
    {
        if (protocol != SplitProtocol.Lecture && protocol != SplitProtocol.Random && protocol != SplitProtocol.MakemorePy)
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown split protocol.");
        if (seed < 0)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "The seed must be ≥ 0.");
        if (protocol == SplitProtocol.MakemorePy)
        {
            var test = MakemorePyTestIndices(count, seed, out var permutation);
            return new(test.Length == permutation.Length ? [] : permutation[..^test.Length], [], test);
        }
        var shuffled = Enumerable.Range(0, count).ToArray();
        new PythonRandom(protocol == SplitProtocol.Lecture ? LectureSeed : seed).Shuffle(shuffled);
        int n1 = (int)(0.8 * count);
        int n2 = (int)(0.9 * count);
        return new(shuffled[..n1], shuffled[n1..n2], shuffled[n2..]);
    }

    /// <summary>
    /// The indices (in file order) of makemore.py's test part, in its order: the last <c>min(1000, int(0.1 n))</c> of
    /// <c>torch.randperm(n)</c> after <c>torch.manual_seed(seed)</c>, exactly as its <c>create_datasets</c> computes them.
    /// </summary>
    /// <param name="count">n, the number of names (makemore.py's words: lines stripped, blank ones left out).</param>
    /// <param name="seed">makemore.py's <c>--seed</c> (default <see cref="MakemorePySeed"/>).</param>
    public static IReadOnlyList<int> MakemorePyTestIndices(int count, int seed = MakemorePySeed) =>
        MakemorePyTestIndices(count, seed, out _);

    private static int[] MakemorePyTestIndices(int count, int seed, out int[] permutation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        permutation = new TorchGenerator(seed).Permutation(count);
        int testSize = Math.Min(1000, (int)(count * 0.1));
        // Python's rp[-k:] is the whole list when k is 0 (and rp[:-k] then empty): makemore.py's split of fewer than 10 words.
        return testSize == 0 ? permutation : permutation[^testSize..];
    }
}
