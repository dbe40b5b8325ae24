using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using static Makemore.Service.Tests.ServiceHost;

namespace Makemore.Service.Tests;

/// <summary>
/// <c>AddNameModel(…, watchForChanges: true)</c> under load: an app serving model A on loopback while 4 clients score names
/// in a loop; the model file is replaced atomically by model B, then by a damaged file. No request may fail, every answer
/// must be A's or B's exact score, answers converge to B, and the damaged file leaves B serving with a logged reason.
/// </summary>
[TestClass]
public sealed class ModelReloadTests
{
    private const int Clients = 4;
    private const int MaxRequestsPerClient = 3_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task ReplacingTheFileUnderLoadSwapsModelsWithoutAFailedOrMixedAnswer()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-reload-").FullName;
        try
        {
            // Two count models of the same names with different orders: the same names score differently under each.
            var ml = new MLContext(seed: 1);
            var names = ml.Data.LoadNames(Split.Train);
            string pathA = Path.Combine(folder, "a.zip"), pathB = Path.Combine(folder, "b.zip"), served = Path.Combine(folder, "names.zip");
            foreach (var (order, path) in new[] { (2, pathA), (3, pathB) })
                ml.Makemore().Save(ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
                    .Append(ml.Makemore().Trainers.NGram(order, Smoothing.AddK(0.5))).Fit(names), names.Schema, path);
            string[] pool = Split.Dev.Take(200).ToArray();
            var scoreA = NameService.Load(ml, pathA);
            var scoreB = NameService.Load(ml, pathB);
            var a = pool.ToDictionary(n => n, n => scoreA.Score(n).LogLikelihood);
            var b = pool.ToDictionary(n => n, n => scoreB.Score(n).LogLikelihood);
            Assert.IsTrue(pool.All(n => a[n] != b[n]), "A and B tell apart every name of the pool");
            File.Copy(pathA, served);

            var log = new CollectedLog();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(NameServiceHost.Loopback(0));
            builder.Logging.ClearProviders().AddProvider(log);
            builder.Services.AddNameModel("names", served, watchForChanges: true, options => options.ReloadDelay = TimeSpan.FromMilliseconds(100));
            await using var app = builder.Build();
            app.MapNameService("names");
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

            // Every answer, with when its request started: (start, model) where model is 'A' or 'B'.
            var answers = new ConcurrentQueue<(long Start, char Model)>();
            var problems = new ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource(Bound);
            var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
            {
                var random = new Random(client);
                for (int r = 0; r < MaxRequestsPerClient && !stop.IsCancellationRequested; r++)
                {
                    string[] batch = Enumerable.Range(0, 4).Select(_ => pool[random.Next(pool.Length)]).ToArray();
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        var response = await http.PostAsJsonAsync("/score", new { names = batch });
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            problems.Enqueue($"status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                            continue;
                        }
                        var scores = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
                            .Select(s => s.GetProperty("log_likelihood").GetDouble()).ToArray();
                        char model = scores.SequenceEqual(batch.Select(n => a[n])) ? 'A' : scores.SequenceEqual(batch.Select(n => b[n])) ? 'B' : '?';
                        if (model == '?')
                            problems.Enqueue($"[{string.Join(", ", batch)}] scored [{string.Join(", ", scores)}]: neither A's scores nor B's");
                        answers.Enqueue((start, model));
                    }
                    catch (HttpRequestException e)
                    {
                        problems.Enqueue($"request failed: {e.Message}");
                    }
                }
            })).ToArray();

            await Until(() => answers.Count >= 100, "the clients' first 100 answers");
            Assert.IsTrue(answers.All(x => x.Model == 'A'), "A serves before the file is replaced");

            Replace(served, File.ReadAllBytes(pathB)); // written beside it, renamed over it, as ml.Makemore().Save does
            long bServed = 0;
            await Until(async () => await Served(http, pool[0], b) && (bServed = Stopwatch.GetTimestamp()) > 0, "B's scores after the replacement");
            await Until(() => answers.Count(x => x.Start > bServed) >= 100, "100 answers after B served");

            Replace(served, [0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00]); // the start of a zip and nothing else
            await Until(() => log.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains(served, StringComparison.Ordinal)), "the damaged file's log entry");
            long damaged = Stopwatch.GetTimestamp();
            await Until(() => answers.Count(x => x.Start > damaged) >= 100, "100 answers after the damaged file");

            stop.Cancel();
            await Task.WhenAll(clients);
            Assert.AreEqual(b[pool[1]], await ScoreOf(http, pool[1]), "B still serves after the damaged file");
            await app.StopAsync();

            Assert.IsEmpty(problems, string.Join("\n", problems.Take(5)));
            var late = answers.Where(x => x.Start > bServed).ToList();
            Assert.IsTrue(late.All(x => x.Model == 'B'), $"{late.Count(x => x.Model != 'B')} of {late.Count} answers to requests started after B served were not B's");
            Assert.IsTrue(answers.Any(x => x.Model == 'A') && answers.Any(x => x.Model == 'B'), "both models answered");
            var entry = log.Entries.Single(e => e.Level == LogLevel.Error);
            Assert.AreEqual("Makemore.Service.NameModels", entry.Category);
            Console.WriteLine($"{answers.Count(x => x.Model == 'A')} answers by A, {answers.Count(x => x.Model == 'B')} by B; logged: {entry.Message}");
            StringAssert.Contains(entry.Message, "was not reloaded");
            StringAssert.Contains(entry.Message, "keeps serving the model loaded at");
            Assert.IsInstanceOfType<Makemore.ML.ModelFileDamagedException>(entry.Exception, entry.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Written beside the target, then renamed over it: readers of the target see the old file or the new one, whole.
    private static void Replace(string path, byte[] content)
    {
        string temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<bool> Served(HttpClient http, string name, Dictionary<string, double> scores) =>
        await ScoreOf(http, name) == scores[name];

    private static async Task<double> ScoreOf(HttpClient http, string name)
    {
        var response = await http.PostAsJsonAsync("/score", new { names = new[] { name } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("log_likelihood").GetDouble();
    }

    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    // Polls every 20 ms, for at most Bound.
    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Bound)
                Assert.Fail($"Waited {Bound.TotalSeconds:N0} s for {what}.");
            await Task.Delay(20);
        }
    }
}
