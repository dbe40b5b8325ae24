using Makemore.ML.Inference;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>Options of a kind that can learn from a teacher's distributions (Hinton et al. 2015) as well as from the data.</summary>
public interface IDistillationOptions
{
    /// <summary>A trained model to distil, or null; it must share the training data's vocabulary.</summary>
    ILanguageModel? Teacher { get; set; }

    /// <summary>With a <see cref="Teacher"/>, its share of each training target, in (0, 1].</summary>
    double TeacherWeight { get; set; }
}
