using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// What smooths a kind's models, for tuning it on dev (the lecture's exercise E03): the strength's name, a default grid,
/// and how to fit one model per strength (a kind may share work between them: counts are counted once).
/// </summary>
/// <param name="Strength">The strength's name, e.g. <c>k</c> (add-k) or <c>L2</c>.</param>
/// <param name="Grid">The strengths tried when none are given.</param>
/// <param name="Fit">
/// Fits one model per strength from an options object of the kind, the vocabulary and the training items; reports each
/// fit that takes a while through the progress callback (or null).
/// </param>
public sealed record SmoothingSweep(string Strength, IReadOnlyList<double> Grid,
    Func<object, CharacterVocabulary, IReadOnlyList<int[]>, IReadOnlyList<double>, Action<string>?, IReadOnlyList<(double Strength, ILanguageModel Model)>> Fit);
