namespace Makemore.ML.Inference;

/// <summary>The output of a <c>PredictionEngine&lt;NameInput, NameScore&gt;</c> over a Makemore model: every <see cref="ScoreColumns"/> column.</summary>
public sealed class NameScore
{
    /// <summary>Sum of ln p over every predicted character, the end token included (nats, ≤ 0).</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Negative log-likelihood per predicted character, in nats.</summary>
    public double NllPerCharacter { get; set; }

    /// <summary><c>exp(NllPerCharacter)</c>.</summary>
    public double Perplexity { get; set; }

    /// <summary>How many characters were predicted: length + 1 for the end token.</summary>
    public int PredictedCharacterCount { get; set; }

    /// <summary>Distribution of the character after the text taken as a prefix, indexed by vocabulary id (id 0: the name ends).</summary>
    public float[] NextCharacterProbabilities { get; set; } = [];
}
