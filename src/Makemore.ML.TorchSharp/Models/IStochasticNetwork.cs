using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// A network that draws random numbers of its own while training (dropout masks). A checkpoint saves the state of its
/// generator with the mini-batch generator's, so a resumed run draws the masks an uninterrupted run would.
/// </summary>
internal interface IStochasticNetwork
{
    /// <summary>The generator the network draws from while training.</summary>
    Generator TrainingGenerator { get; }
}
