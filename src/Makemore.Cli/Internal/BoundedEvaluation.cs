using Makemore.ML.Evaluation;

namespace Makemore.Cli.Internal;

/// <summary>
/// The final train/dev/test figures of <c>makemore train --time-limit</c>: each part is scored in chunks of a seeded random
/// order until its share of the time left runs out, so the command ends within its limit; a part that did not fit is
/// reported as a random sample of it, never as the whole.
/// </summary>
internal static class BoundedEvaluation
{
    /// <summary>Names scored between two looks at the clock.</summary>
    private const int ChunkSize = 1000;

    /// <summary>The share of <c>--time-limit</c> kept for the final figures; training gets the rest.</summary>
    public const double FinalShare = 0.1;

    /// <summary>One part's figure: its metrics, and how many names the part has (more than the metrics' items when sampled).</summary>
    public sealed record Figure(LanguageModelMetrics Metrics, int PartSize)
    {
        /// <summary>True when only a sample of the part was scored.</summary>
        public bool Sampled => Metrics.ItemCount < PartSize;
    }

    /// <summary><see cref="Run"/>, reported as one <see cref="LongPhase"/> on <paramref name="phases"/> (null: silent).</summary>
    public static Dictionary<string, Figure> RunReported(TextWriter? phases, IReadOnlyList<(string Part, IReadOnlyList<string> Names)> parts,
        Func<IReadOnlyList<string>, LanguageModelMetrics> evaluate, Func<TimeSpan> clock, TimeSpan deadline, int seed)
    {
        using var phase = LongPhase.Start(phases, "scoring the final figures within --time-limit");
        return Run(parts, evaluate, clock, deadline, seed);
    }

    /// <summary>
    /// Scores the parts in the order given (the ones a user reads first first), each until its equal share of the time
    /// left before <paramref name="deadline"/> (on <paramref name="clock"/>, the command's time so far) is used; time a part
    /// leaves over goes to the next. At least one chunk of every part is scored, so each has a figure.
    /// </summary>
    public static Dictionary<string, Figure> Run(IReadOnlyList<(string Part, IReadOnlyList<string> Names)> parts,
        Func<IReadOnlyList<string>, LanguageModelMetrics> evaluate, Func<TimeSpan> clock, TimeSpan deadline, int seed)
    {
        var figures = new Dictionary<string, Figure>();
        for (int i = 0; i < parts.Count; i++)
        {
            var (part, names) = parts[i];
            var partDeadline = clock() + (deadline - clock()) / (parts.Count - i);
            figures[part] = new Figure(Sample(names, evaluate, () => clock() >= partDeadline, seed), names.Count);
        }
        return figures;
    }

    // The part's names in a seeded random order, scored a chunk at a time until done or out of time; the chunks' NLL
    // sums and counts add up to the figure of the names scored.
    private static LanguageModelMetrics Sample(IReadOnlyList<string> names, Func<IReadOnlyList<string>, LanguageModelMetrics> evaluate, Func<bool> late, int seed)
    {
        var order = Enumerable.Range(0, names.Count).ToArray();
        new Random(seed).Shuffle(order);
        double nll = 0;
        long characters = 0, items = 0;
        for (int start = 0; start < order.Length; start += ChunkSize)
        {
            var chunk = order.AsSpan(start, Math.Min(ChunkSize, order.Length - start)).ToArray().Select(i => names[i]).ToList();
            var metrics = evaluate(chunk);
            nll += metrics.NllPerCharacter * metrics.PredictedCharacterCount;
            characters += metrics.PredictedCharacterCount;
            items += metrics.ItemCount;
            if (late())
                break;
        }
        return new LanguageModelMetrics(characters == 0 ? 0 : nll / characters, characters, items);
    }
}
