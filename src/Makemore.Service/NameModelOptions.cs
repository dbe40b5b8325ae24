using Makemore.ML.Sampling;
using Microsoft.ML;

namespace Makemore.Service;

/// <summary>
/// One named model of <see cref="NameModels"/>: the file it is loaded from, whether it is reloaded when the file is
/// replaced, and what the service over it answers. Set by <see cref="NameModelServiceCollectionExtensions.AddNameModel"/>.
/// </summary>
public sealed class NameModelOptions
{
    /// <summary>The defaults, in one place.</summary>
    public static class Defaults
    {
        /// <summary>How long the file must stay quiet after a change before it is reloaded: 500 ms.</summary>
        public static readonly TimeSpan ReloadDelay = TimeSpan.FromMilliseconds(500);
    }

    /// <summary>The saved model zip (<c>ml.Makemore().Save</c>, <c>makemore train</c>); a relative path is taken from the current directory.</summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// Reload the model when its file is replaced (renamed over, created, or written). The new file is loaded and verified
    /// whole before it serves; one that fails to load leaves the previous model serving and is logged. Default false.
    /// </summary>
    public bool WatchForChanges { get; set; }

    /// <summary>
    /// How long the file must stay quiet after the last change before it is reloaded (a copy written in place changes it
    /// many times). Default <see cref="Defaults.ReloadDelay"/>.
    /// </summary>
    public TimeSpan ReloadDelay { get; set; } = Defaults.ReloadDelay;

    /// <summary>The request limits of the service. Default <see cref="NameServiceOptions"/>'s defaults.</summary>
    public NameServiceOptions Limits { get; set; } = new();

    /// <summary>
    /// The training data, split as in training, that gives generated names their novelty, for a model just loaded (for
    /// example from its metadata: <c>MakemoreModel.GetMetadata</c>); called at every load. Null (the default), or null
    /// returned: generated names carry no novelty.
    /// </summary>
    public Func<ITransformer, NoveltyClassifier?>? Novelty { get; set; }
}
