namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Training stopped because the loss stopped being a finite number (NaN or infinity), almost always a learning rate too
/// large for the model. Thrown at the first such step; the weights are not returned, so no damaged model is saved.
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>Creates the exception for the step whose loss was not finite.</summary>
    /// <param name="step">The step (1-based) whose loss was not finite.</param>
    /// <param name="steps">Steps in the run.</param>
    /// <param name="loss">The loss of that step.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public TrainingDivergedException(int step, int steps, double loss, double learningRate)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Training diverged at step {step} of {steps}: the loss is {loss}. Use a smaller learning rate (it is {learningRate:G6})."))
    {
        Step = step;
        Steps = steps;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>The step (1-based) whose loss was not finite.</summary>
    public int Step { get; }

    /// <summary>Steps in the run.</summary>
    public int Steps { get; }

    /// <summary>The loss of that step (NaN or ±∞).</summary>
    public double Loss { get; }

    /// <summary>The learning rate in use.</summary>
    public double LearningRate { get; }
}
