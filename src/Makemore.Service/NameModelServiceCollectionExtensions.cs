using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Makemore.Service;

/// <summary>Registers name models with an app's services: <c>builder.Services.AddNameModel("names", "model.zip", watchForChanges: true)</c>.</summary>
public static class NameModelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the model saved at <paramref name="path"/> under <paramref name="name"/>, for <c>app.MapNameService(name)</c>
    /// and <see cref="NameModels"/>. With <paramref name="watchForChanges"/>, a file replaced while the app runs is loaded,
    /// verified and swapped in; a file that fails to load leaves the previous model serving, and the reason is logged.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="name">The model's name; one registration per name.</param>
    /// <param name="path">The saved model zip.</param>
    /// <param name="watchForChanges">Reload the model when the file is replaced.</param>
    /// <param name="configure">Further options: the reload delay, the request limits, the novelty data.</param>
    /// <exception cref="InvalidOperationException">A model is already registered under <paramref name="name"/>.</exception>
    public static IServiceCollection AddNameModel(this IServiceCollection services, string name, string path, bool watchForChanges = false,
        Action<NameModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (services.Any(d => d.ServiceType == typeof(NameModelRegistration) && d.ImplementationInstance is NameModelRegistration r && r.Name == name))
            throw new InvalidOperationException($"A name model '{name}' is already registered; give each model its own name.");
        services.AddSingleton(new NameModelRegistration(name));
        services.TryAddSingleton<NameModels>();
        services.AddOptions<NameModelOptions>(name).Configure(options =>
        {
            options.Path = path;
            options.WatchForChanges = watchForChanges;
            configure?.Invoke(options);
        });
        return services;
    }
}
