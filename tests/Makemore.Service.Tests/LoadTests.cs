using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Makemore.ML.Inference;
using static Makemore.Service.Tests.ServiceHost;

namespace Makemore.Service.Tests;

/// <summary>
/// A bounded load test on loopback: a fixed number of <c>POST /score</c> requests from 8 concurrent clients; every answer
/// must equal single-threaded scoring of the same names. It prints requests/s and latency percentiles (figures, not
/// assertions: the machine decides them).
/// </summary>
[TestClass]
public sealed class LoadTests
{
    private const int Clients = 8;
    private const int RequestsPerClient = 250;
    private const int NamesPerRequest = 8;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EightConcurrentClientsGetExactlyTheSingleThreadedScores()
    {
        string[] pool = File.ReadLines(Makemore.ML.Tests.TestData.BundledNamesPath).Take(4_000).ToArray();
        var scorer = new NameScorer(Served.Model);
        var expected = pool.ToDictionary(n => n, n => scorer.Score(n).LogLikelihood); // single-threaded reference
        var latencies = new double[Clients * RequestsPerClient];
        int wrong = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using var http = new HttpClient { BaseAddress = Address };
            var random = new Random(client);
            for (int r = 0; r < RequestsPerClient; r++)
            {
                string[] names = Enumerable.Range(0, NamesPerRequest).Select(_ => pool[random.Next(pool.Length)]).ToArray();
                long start = Stopwatch.GetTimestamp();
                var response = await http.PostAsJsonAsync("/score", new { names });
                var answers = await response.Content.ReadFromJsonAsync<JsonElement>();
                latencies[client * RequestsPerClient + r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref wrong);
                    continue;
                }
                int i = 0;
                foreach (var answer in answers.EnumerateArray())
                {
                    if (answer.GetProperty("name").GetString() != names[i] || answer.GetProperty("log_likelihood").GetDouble() != expected[names[i]])
                        Interlocked.Increment(ref wrong);
                    i++;
                }
                if (i != names.Length)
                    Interlocked.Increment(ref wrong);
            }
        }));
        clock.Stop();
        Array.Sort(latencies);
        double Percentile(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        TestContext.WriteLine($"POST /score, {Clients} clients x {RequestsPerClient} requests of {NamesPerRequest} names on loopback: " +
            $"{latencies.Length / clock.Elapsed.TotalSeconds:N0} requests/s ({latencies.Length * NamesPerRequest / clock.Elapsed.TotalSeconds:N0} names/s); " +
            $"latency p50 {Percentile(0.5):F2} ms, p99 {Percentile(0.99):F2} ms, max {latencies[^1]:F2} ms ({Environment.ProcessorCount} cores)");
        Assert.AreEqual(0, wrong, $"{wrong} answers differ from single-threaded scoring");
    }
}
