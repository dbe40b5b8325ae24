using System.Globalization;
using Makemore.ML.Data;

namespace Makemore.ML.Sampling;

/// <summary>Where a generated name stands with respect to the data a model was made from, as makemore reports its samples.</summary>
public enum NameNovelty
{
    /// <summary>The name is in the training part.</summary>
    InTrain,
    /// <summary>The name is not in the training part but in the dev or test part.</summary>
    InDevTest,
    /// <summary>The name is in no part of the data: the model made it up.</summary>
    New,
}

/// <summary>Classifies names as in train, in dev/test, or new, given a split's name lists (exact, case-sensitive match).</summary>
public sealed class NoveltyClassifier
{
    private readonly HashSet<string> _train;
    private readonly HashSet<string> _devTest;

    /// <summary>Creates a classifier from the training names and the held-out (dev and test) names.</summary>
    public NoveltyClassifier(IEnumerable<string> train, IEnumerable<string> devTest)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(devTest);
        _train = new HashSet<string>(train, StringComparer.Ordinal);
        _devTest = new HashSet<string>(devTest, StringComparer.Ordinal);
    }

    /// <summary>Creates a classifier from a split: train, then dev and test together.</summary>
    public static NoveltyClassifier From(NameSplits<IReadOnlyList<string>> split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new NoveltyClassifier(split.Train, split.Dev.Concat(split.Test));
    }

    /// <summary>Where <paramref name="name"/> stands; a name in both parts counts as in train.</summary>
    public NameNovelty Classify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _train.Contains(name) ? NameNovelty.InTrain : _devTest.Contains(name) ? NameNovelty.InDevTest : NameNovelty.New;
    }

    /// <summary>Counts the novelty of every name (repeats counted each time).</summary>
    public NoveltyReport Report(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var report = new NoveltyReport();
        foreach (string name in names)
            report.Add(Classify(name));
        return report;
    }
}

/// <summary>How many names were in train, in dev/test, or new, with their fractions.</summary>
public sealed class NoveltyReport
{
    /// <summary>Names in the training part.</summary>
    public int InTrain { get; private set; }

    /// <summary>Names in the dev or test part but not in train.</summary>
    public int InDevTest { get; private set; }

    /// <summary>Names in no part.</summary>
    public int New { get; private set; }

    /// <summary>Every name counted.</summary>
    public int Total => InTrain + InDevTest + New;

    /// <summary>Share of names in train (0 when nothing was counted).</summary>
    public double InTrainFraction => Fraction(InTrain);

    /// <summary>Share of names in dev/test but not train (0 when nothing was counted).</summary>
    public double InDevTestFraction => Fraction(InDevTest);

    /// <summary>Share of new names (0 when nothing was counted).</summary>
    public double NewFraction => Fraction(New);

    /// <summary>Counts one name.</summary>
    public void Add(NameNovelty novelty)
    {
        switch (novelty)
        {
            case NameNovelty.InTrain: InTrain++; break;
            case NameNovelty.InDevTest: InDevTest++; break;
            case NameNovelty.New: New++; break;
            default: throw new ArgumentOutOfRangeException(nameof(novelty), novelty, "Unknown novelty.");
        }
    }

    /// <summary>How reports name a novelty: <c>in train</c>, <c>in dev/test</c> or <c>new</c>.</summary>
    public static string Label(NameNovelty novelty) => novelty switch
    {
        NameNovelty.InTrain => "in train",
        NameNovelty.InDevTest => "in dev/test",
        NameNovelty.New => "new",
        _ => throw new ArgumentOutOfRangeException(nameof(novelty), novelty, "Unknown novelty."),
    };

    /// <summary>One line, e.g. <c>in train 12 (60.0%), in dev/test 1 (5.0%), new 7 (35.0%) of 20</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"in train {InTrain:N0} ({100 * InTrainFraction:F1}%), in dev/test {InDevTest:N0} ({100 * InDevTestFraction:F1}%), new {New:N0} ({100 * NewFraction:F1}%) of {Total:N0}");

    private double Fraction(int count) => Total == 0 ? 0 : (double)count / Total;
}
