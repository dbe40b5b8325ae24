namespace Makemore.ML.Training;

/// <summary>Where a training run is: reported after every step.</summary>
/// <param name="Step">Steps done so far (1-based; a resumed run continues the numbering).</param>
/// <param name="Steps">The run's last step.</param>
/// <param name="Loss">The optimised loss of this step: data NLL plus regularisation.</param>
/// <param name="DataLoss">The NLL part alone, in nats per character, on this step's batch.</param>
/// <param name="Elapsed">Wall time since this run (or resumption) started.</param>
/// <param name="LearningRate">The learning rate this step used, or null where not known.</param>
/// <param name="DevLoss">Mean NLL per predicted character on the dev set (or on <paramref name="DevSample"/>) after this step, at evaluation steps; else null.</param>
/// <param name="DevSample">The sample of the dev set <paramref name="DevLoss"/> is on, when a time limit left too little time for all of it; null: the whole dev set.</param>
public sealed record TrainingProgress(int Step, int Steps, double Loss, double DataLoss, TimeSpan Elapsed,
    double? LearningRate = null, double? DevLoss = null, DevSample? DevSample = null);
