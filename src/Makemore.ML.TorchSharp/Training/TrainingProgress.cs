namespace Makemore.ML.TorchSharp.Training;

/// <summary>Where a training run is: reported after every step.</summary>
/// <param name="Step">Steps done so far (1-based).</param>
/// <param name="Steps">Steps in the run.</param>
/// <param name="Loss">The optimised loss of this step: data NLL plus regularisation.</param>
/// <param name="DataLoss">The NLL part alone, in nats per character, on this step's batch.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public sealed record TrainingProgress(int Step, int Steps, double Loss, double DataLoss, TimeSpan Elapsed);
