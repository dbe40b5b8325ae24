namespace Makemore.ML.Counting;

/// <summary>
/// A count model's scoring values in sparse form, as plain arrays (for exporters such as ONNX): per order, ln p of every
/// seen n-gram and ln of every seen context's weight, and the floor. Scoring a symbol c after a history reads, from the
/// top order down, the n-gram's ln p if it was seen (and stops), else adds the context's ln weight if the context was
/// seen; below order 1 it adds <see cref="Floor"/>. This is exactly what <see cref="NGramScoringTable"/> computes.
/// </summary>
/// <param name="Orders">Per order, lowest first (add-k: the top order only).</param>
/// <param name="Floor">ln p below every order: ln(1/V) for Kneser–Ney; for add-k, an unseen context's ln(1/V) (−∞ without smoothing).</param>
/// <param name="BacksOff">True for Kneser–Ney (the search goes on to the order below); false for add-k (an unseen n-gram takes its context's value, or the floor).</param>
internal sealed record NGramSparseForm(IReadOnlyList<NGramOrderLogs> Orders, double Floor, bool BacksOff);

/// <summary>One order of <see cref="NGramSparseForm"/>.</summary>
/// <param name="Order">n.</param>
/// <param name="Keys">The seen n-grams' keys h·V + c (base V, oldest symbol most significant), ascending.</param>
/// <param name="LogProbabilities">Per n-gram: ln p_n(c | h).</param>
/// <param name="Contexts">The seen contexts' keys h (order n − 1), ascending.</param>
/// <param name="LogWeights">Per context: ln λ(h) (Kneser–Ney), or ln p of a symbol never seen after h (add-k).</param>
internal sealed record NGramOrderLogs(int Order, ulong[] Keys, double[] LogProbabilities, ulong[] Contexts, double[] LogWeights);
