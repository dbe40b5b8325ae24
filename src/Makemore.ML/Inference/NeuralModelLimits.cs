namespace Makemore.ML.Inference;

/// <summary>Limits shared by the neural inference models: softmax regression, the MLP family, recurrent, bag of words, transformer.</summary>
public static class NeuralModelLimits
{
    /// <summary>Largest model accepted, in parameters (400 MB of float32): checked when a model is built and when its saved arrays are read.</summary>
    public const long MaxParameters = 100_000_000;

    /// <summary>Throws when a model's parameter count is over <see cref="MaxParameters"/>.</summary>
    internal static void CheckParameterCount(long parameterCount, string paramName)
    {
        if (parameterCount > MaxParameters)
            throw new ArgumentOutOfRangeException(paramName, $"{parameterCount:N0} parameters is over the limit of {MaxParameters:N0}.");
    }
}
