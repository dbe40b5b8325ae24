using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using static Makemore.Service.Tests.ServiceHost;

namespace Makemore.Service.Tests;

/// <summary>Several models registered by name (<c>AddNameModel</c>) and mapped under their own prefixes; registration mistakes named.</summary>
[TestClass]
public sealed class NamedModelTests
{
    [TestMethod]
    public async Task TwoModelsServeUnderTheirOwnPrefixes()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-named-").FullName, current = Directory.GetCurrentDirectory();
        try
        {
            var ml = new MLContext(seed: 1);
            var names = ml.Data.LoadNames(Split.Train);
            foreach (var (order, file) in new[] { (2, "names-model.zip"), (3, "pets-model.zip") })
                ml.Makemore().Save(ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
                    .Append(ml.Makemore().Trainers.NGram(order, Smoothing.AddK(0.5))).Fit(names), names.Schema, Path.Combine(folder, file));
            Directory.SetCurrentDirectory(folder); // the snippet's relative paths

            // docs/name-service.md, "Hosting the service in your app", line for line (but for UseUrls, and StartAsync for Run)
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls(NameServiceHost.Loopback(0));
            builder.Services.AddNameModel("names", "names-model.zip", watchForChanges: true);
            builder.Services.AddNameModel("pets", "pets-model.zip");
            await using var app = builder.Build();
            app.MapGroup("/names").MapNameService("names");   // /names/, /names/score, /names/generate, …
            app.MapGroup("/pets").MapNameService("pets");
            await app.StartAsync();

            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.Single()) };
            var models = app.Services.GetRequiredService<NameModels>();
            CollectionAssert.AreEquivalent(new[] { "names", "pets" }, models.Names.ToArray());
            Assert.IsTrue(models.Source("names").WatchesForChanges);
            Assert.IsFalse(models.Source("pets").WatchesForChanges);
            foreach (string name in new[] { "names", "pets" })
            {
                var answer = await (await http.PostAsJsonAsync($"/{name}/score", new { names = new[] { "anna" } })).Content.ReadFromJsonAsync<JsonElement>();
                Assert.AreEqual(models.Get(name).Score("anna").LogLikelihood, answer[0].GetProperty("log_likelihood").GetDouble(), $"/{name}/score is {name}'s model");
                var model = await (await http.GetAsync($"/{name}/model")).Content.ReadFromJsonAsync<JsonElement>();
                Assert.AreEqual(models.Get(name).Model.ToString(), model.GetProperty("model").GetString());
                var page = await http.GetAsync($"/{name}/");
                Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
                var bare = await http.GetAsync($"/{name}?name=anna");
                Assert.AreEqual(HttpStatusCode.Redirect, bare.StatusCode, "the page moves to its address with '/', where its relative calls land under the prefix");
                Assert.AreEqual($"/{name}/?name=anna", bare.Headers.Location?.OriginalString);
            }
            Assert.AreNotEqual(models.Get("names").Score("anna").LogLikelihood, models.Get("pets").Score("anna").LogLikelihood);
            await app.StopAsync();
        }
        finally
        {
            Directory.SetCurrentDirectory(current);
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void RegistrationMistakesAreNamed()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddNameModel("names", "names-model.zip");
        var twice = Assert.ThrowsExactly<InvalidOperationException>(() => builder.Services.AddNameModel("names", "other.zip"));
        StringAssert.Contains(twice.Message, "'names' is already registered");
        var app = builder.Build();
        var unknown = Assert.ThrowsExactly<InvalidOperationException>(() => app.MapNameService("pets"));
        StringAssert.Contains(unknown.Message, "No name model 'pets' is registered; the registered ones are 'names'");
        Assert.ThrowsExactly<FileNotFoundException>(() => app.MapNameService("names"), "a missing file stops the app when it is mapped");
    }
}
