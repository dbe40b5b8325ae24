using System.Net.Http.Json;
using System.Text.Json;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;

namespace Makemore.Service.Tests;

/// <summary>One running service for the test run: a trigram Kneser–Ney model of the bundled names, on a free loopback port.</summary>
[TestClass]
public static class ServiceHost
{
    private static WebApplication? _app;

    /// <summary>The service's work without HTTP (the reference answers come from it).</summary>
    public static NameService Served { get; private set; } = null!;

    /// <summary>The lecture split of the bundled names; the model is fitted on its train part.</summary>
    public static NameSplits<IReadOnlyList<string>> Split { get; private set; } = null!;

    /// <summary>A client whose base address is the running app.</summary>
    public static HttpClient Client { get; private set; } = null!;

    /// <summary>The app's address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public static Uri Address { get; private set; } = null!;

    [AssemblyInitialize]
    public static async Task Start(TestContext _)
    {
        var ml = new MLContext(seed: 1);
        var split = NameSplitter.Split(NameList.Read(TestData.BundledNamesPath), SplitProtocol.Lecture);
        Split = split;
        var names = ml.Data.LoadNames(split.Train);
        var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.KneserNey()))
            .Fit(names);
        string path = Path.Combine(Path.GetTempPath(), $"makemore-service-{Environment.ProcessId}.zip");
        ml.Makemore().Save(model, names.Schema, path);
        SavedModelPath = path;
        Served = NameService.Load(ml, path, NoveltyClassifier.From(split)); // as makemore serve does: from the zip, with its split
        _app = NameServiceHost.Create(Served, NameServiceHost.Loopback(0));
        await _app.StartAsync();
        Address = new Uri(_app.Urls.Single());
        Client = new HttpClient { BaseAddress = Address };
    }

    /// <summary>The zip the service loaded.</summary>
    public static string SavedModelPath { get; private set; } = "";

    [AssemblyCleanup]
    public static async Task Stop()
    {
        if (SavedModelPath.Length > 0)
            File.Delete(SavedModelPath);
        Client?.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
    }

    /// <summary>Parses an answer's JSON.</summary>
    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>POSTs raw text to /score.</summary>
    public static Task<HttpResponseMessage> PostScore(string body, string contentType = "application/json") =>
        Client.PostAsync("/score", new StringContent(body, System.Text.Encoding.UTF8, contentType));
}
