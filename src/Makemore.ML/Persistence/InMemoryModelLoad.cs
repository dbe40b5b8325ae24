using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Makemore.ML.Persistence;

/// <summary>
/// <c>mlContext.Model.Load</c> without the temporary files. ML.NET's loader extracts every zip entry to a file in a new
/// temporary folder, opens it again, and deletes the folder at the end: for a small Makemore model (about 30 entries)
/// that file-system work is most of a warm load. Its repository reader can keep entries in memory instead
/// (<c>RepositoryReader.Open(stream, env, useFileSystem: false)</c>), but only through internal members, reached here
/// by reflection once per process. Where they are missing (another ML.NET version) <see cref="TryLoad"/> returns false
/// and the caller uses the public <c>Model.Load</c>; a test pins that the fast path is taken on the version we ship with.
/// </summary>
internal static class InMemoryModelLoad
{
    /// <summary>The zip entry of the input schema (ML.NET's <c>ModelOperationsCatalog.SchemaEntryName</c>).</summary>
    public const string SchemaEntry = "Schema";
    private const string TransformerDirectory = "TransformerChain"; // CompositeDataLoader<,>.TransformerDirectory

    private static readonly Lazy<(MethodInfo Open, MethodInfo LoadModel)?> Members = new(Find);

    /// <summary>True when this ML.NET exposes the members the in-memory load needs.</summary>
    public static bool IsAvailable => Members.Value is not null;

    /// <summary>
    /// Loads the transformer chain and input schema of a model zip held in memory, as <c>Model.Load</c> does for a
    /// model saved with its input schema. False (nothing loaded) when the internal members are missing or the zip has
    /// no schema entry: the caller then falls back to <c>Model.Load</c>, which handles every other layout.
    /// </summary>
    /// <param name="ml">The context the model loads into.</param>
    /// <param name="zip">The model file's bytes.</param>
    /// <param name="schema">The inflated <see cref="SchemaEntry"/> of the zip (the caller's verification read it), or null when it has none.</param>
    /// <param name="model">The loaded transformer chain.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    public static bool TryLoad(MLContext ml, byte[] zip, byte[]? schema, out ITransformer model, out DataViewSchema inputSchema)
    {
        model = null!;
        inputSchema = null!;
        if (Members.Value is not (var open, var loadModel) || schema is null)
            return false;
        inputSchema = ml.Data.LoadFromBinary(new BytesSource(schema)).Schema;
        IHostEnvironment environment = ml;
        using var repository = (IDisposable)open.Invoke(null, [new MemoryStream(zip, writable: false), environment, false])!;
        object?[] arguments = [environment, null, repository, TransformerDirectory, Array.Empty<object>()];
        try
        {
            loadModel.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        model = (ITransformer)arguments[1]!;
        return true;
    }

    private static (MethodInfo, MethodInfo)? Find()
    {
        try
        {
            var core = typeof(IHostEnvironment).Assembly;
            var reader = core.GetType("Microsoft.ML.RepositoryReader");
            var open = reader?.GetMethod("Open", BindingFlags.Public | BindingFlags.Static, [typeof(Stream), typeof(IExceptionContext), typeof(bool)]);
            var context = core.GetType("Microsoft.ML.ModelLoadContext");
            var signature = core.GetType("Microsoft.ML.SignatureLoadModel");
            var loadModel = context?.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == "LoadModel" && m.IsGenericMethodDefinition && m.GetParameters() is { Length: 5 } p
                    && p[2].ParameterType == reader && p[3].ParameterType == typeof(string));
            if (signature is null)
                return null;
            return open is null || loadModel is null ? null : (open, loadModel.MakeGenericMethod(typeof(ITransformer), signature));
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>One in-memory "file" for <c>LoadFromBinary</c>.</summary>
    private sealed class BytesSource(byte[] bytes) : IMultiStreamSource
    {
        public int Count => 1;

        public string? GetPathOrNull(int index) => null;

        public Stream Open(int index) => new MemoryStream(bytes, writable: false);

        public TextReader OpenTextReader(int index) => new StreamReader(Open(index));
    }
}
