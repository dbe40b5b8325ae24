using Makemore.ML.Inference;

namespace Makemore.ML.Training;

/// <summary>What a trainer's <c>Train</c> (on id sequences, without a data view) returns: the model and what its training did.</summary>
/// <typeparam name="TModel">The model's type.</typeparam>
/// <param name="Model">The trained model.</param>
/// <param name="Training">Losses per step, dev evaluations, what stopped the run, how long it took.</param>
public sealed record TrainedModel<TModel>(TModel Model, TrainingResult Training) where TModel : ILanguageModel;
