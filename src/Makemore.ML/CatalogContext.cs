using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Makemore.ML;

/// <summary>
/// ML.NET's transform and data catalogs bound to the user's environment: what our components build inner transforms
/// and views with, so that they log to the user's <see cref="MLContext"/>, draw from its seed and stop when it is
/// cancelled, as ML.NET's own catalog methods do. Never a context of our own.
/// </summary>
/// <param name="Transforms">The user's transforms catalog (or one bound to the user's environment).</param>
/// <param name="Data">The user's data catalog (or one bound to the user's environment).</param>
/// <param name="Model">The user's model operations (save, load), or ones bound to the user's environment.</param>
internal sealed record Catalogs(TransformsCatalog Transforms, DataOperationsCatalog Data, ModelOperationsCatalog Model)
{
    private static readonly ConditionalWeakTable<IHostEnvironment, Catalogs> ByEnvironment = [];

    /// <summary>The context's own catalogs.</summary>
    public static Catalogs Of(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new(mlContext.Transforms, mlContext.Data, mlContext.Model);
    }

    /// <summary>
    /// Catalogs on the environment behind one of ML.NET's catalogs (<c>ml.Transforms.Text</c>, <c>ml.Data</c>,
    /// <c>ml.MulticlassClassification.Trainers</c>). ML.NET reaches it through its internal <c>IInternalCatalog.Environment</c>
    /// (the context's own environment, which logging, the seed and cancellation live in) and builds catalogs on it with
    /// internal constructors; extension methods outside ML.NET have no public way, so both are reached by reflection.
    /// </summary>
    /// <exception cref="NotSupportedException">The catalog holds no environment this ML.NET version exposes that way.</exception>
    public static Catalogs Of(object catalog)
    {
        var environment = EnvironmentOf(catalog);
        return ByEnvironment.GetValue(environment, env => new(Create<TransformsCatalog>(env), Create<DataOperationsCatalog>(env), Create<ModelOperationsCatalog>(env)));
    }

    /// <summary>The environment behind one of ML.NET's catalogs (the context's own for a context's catalogs).</summary>
    /// <exception cref="NotSupportedException">The catalog holds no environment this ML.NET version exposes that way.</exception>
    internal static IHostEnvironment EnvironmentOf(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog")
            ?.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException($"{catalog.GetType().Name} holds no ML.NET environment that this version of Makemore.ML can reach.");
    }

    /// <summary>
    /// The seed the context was created with (<c>new MLContext(seed)</c>), or null for an unseeded context or one this ML.NET
    /// version does not expose (its internal <c>IHostEnvironmentInternal.Seed</c>, reached by reflection).
    /// </summary>
    internal static int? SeedOf(IHostEnvironment environment) =>
        environment.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IHostEnvironmentInternal")
            ?.GetProperty("Seed")?.GetValue(environment) as int?;

    /// <summary>
    /// A random source for one of our components, as ML.NET gives its own (<c>Register(name).Rand</c>): seeded by the
    /// context's seed itself when it has one, so that the same seed gives the same draws however many the context's other
    /// components made before (a first fit in a process registers more hosts than later ones); else from the context's source.
    /// </summary>
    internal static Random RandomFor(IHostEnvironment environment, string name) =>
        environment.Register(name, SeedOf(environment)).Rand;

    /// <summary>
    /// A channel to the context's log (<c>mlContext.Log</c>) for one of our components, as ML.NET's trainers open theirs
    /// (<c>Register(name).Start(channel)</c>). The host gets a fixed seed: it draws nothing, and registering it must not move
    /// the context's random source, which the user's other components draw from.
    /// </summary>
    internal static IChannel ChannelFor(IHostEnvironment environment, string name, string channel) =>
        environment.Register(name, seed: 0).Start(channel);

    private static T Create<T>(IHostEnvironment environment) =>
        (T)(typeof(T).GetConstructor(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance, [typeof(IHostEnvironment)])
            ?.Invoke([environment])
            ?? throw new NotSupportedException($"ML.NET's {typeof(T).Name} has no constructor from an environment in this version."));
}
