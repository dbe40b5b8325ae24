namespace Makemore.ML.Training;

/// <summary>
/// The part of the dev set that a time-limited run's dev evaluations scored, when scoring all of it at each evaluation
/// would have taken more than its share of the limit: the same seeded random sample at every evaluation, so the best dev
/// loss, and the model kept for it, compare like with like.
/// </summary>
/// <param name="Size">Rows scored at each evaluation.</param>
/// <param name="Total">Rows of the whole dev set.</param>
/// <param name="Unit">What a row is, plural, for messages: <c>names</c> (sequence models) or <c>windows</c> (the MLP family's distinct (context, next) events, weighted by their counts).</param>
/// <param name="Seed">The seed of the random order whose first <paramref name="Size"/> rows are the sample (the run's training seed).</param>
public sealed record DevSample(long Size, long Total, string Unit, long Seed)
{
    /// <summary>"256 of 500 names, seed 3407".</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Size} of {Total} {Unit}, seed {Seed}");
}
