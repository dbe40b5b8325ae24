using System.Globalization;

namespace Makemore.ML.Evaluation;

/// <summary>How well a model predicts a set of items: the lecture's loss, and the same number in other units.</summary>
/// <param name="NllPerCharacter">Mean negative log-likelihood per predicted character (end tokens included), in nats.</param>
/// <param name="PredictedCharacterCount">Number of predicted characters: Σ (length + 1).</param>
/// <param name="ItemCount">Number of items (names) scored.</param>
public sealed record LanguageModelMetrics(double NllPerCharacter, long PredictedCharacterCount, long ItemCount)
{
    /// <summary>The NLL in bits per character: <c>NllPerCharacter / ln 2</c>.</summary>
    public double BitsPerCharacter => NllPerCharacter / Math.Log(2);

    /// <summary><c>exp(NllPerCharacter)</c>: the effective number of equally likely next characters.</summary>
    public double Perplexity => Math.Exp(NllPerCharacter);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"NLL {NllPerCharacter:F5} nats/char ({BitsPerCharacter:F4} bits/char, perplexity {Perplexity:F3}) over {PredictedCharacterCount:N0} characters of {ItemCount:N0} items");
}
