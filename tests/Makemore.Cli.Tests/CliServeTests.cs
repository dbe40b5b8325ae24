using System.Net.Http.Json;
using System.Text.Json;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary><c>makemore serve</c> as a user runs it: its own process on a loopback port, answering, stopped by Ctrl+C.</summary>
[TestClass]
public sealed class CliServeTests
{
    [TestMethod]
    public async Task ServeAnswersOnLoopbackWithNoveltyAndPercentileAndStopsOnCtrlC()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-serve-").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            Assert.AreEqual(0, Run("train", "--order", "3", "--smoothing", "kneser-ney", "-o", zip, "--samples", "0", "-q").Code);
            using var process = Start("serve", "-m", zip, "--port", "0");
            try
            {
                string first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
                string novelty = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? "";
                StringAssert.Contains(first, "on http://127.0.0.1:", "loopback by default");
                StringAssert.Contains(novelty, "novelty of generated names from ");
                StringAssert.Contains(novelty, "data/names.txt, split lecture");
                string url = first[first.IndexOf("http://", StringComparison.Ordinal)..first.IndexOf(';')];
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                var generated = await client.GetFromJsonAsync<JsonElement>("/generate?count=5&ends-with=a");
                var names = generated.GetProperty("names").EnumerateArray().ToList();
                Assert.HasCount(5, names);
                Assert.IsTrue(names.All(n => n.GetProperty("name").GetString()!.EndsWith('a') && n.GetProperty("novelty").GetString() is "in train" or "in dev/test" or "new"));
                var scored = await (await client.PostAsJsonAsync("/score", new { names = new[] { "emma" } })).Content.ReadFromJsonAsync<JsonElement>();
                Assert.IsTrue(scored[0].GetProperty("percentile").GetDouble() is > 50 and <= 100, scored.ToString());

                using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                    kill.WaitForExit();
                Assert.IsTrue(process.WaitForExit(15_000), "Ctrl+C stops the service");
                Assert.AreEqual(0, process.ExitCode, await process.StandardError.ReadToEndAsync());
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true); // a failed assertion must not leave a service running
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AServiceOnAPortInUseSaysSoAndExits1()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-serve-").FullName;
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            Assert.AreEqual(0, Run("train", "--order", "2", "-o", zip, "--samples", "0", "-q").Code);
            string port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var run = Run("serve", "-m", zip, "--port", port);
            Assert.AreEqual(1, run.Code, run.Output);
            StringAssert.Contains(run.Error, $"cannot listen on http://127.0.0.1:{port}");
            StringAssert.Contains(run.Error, "choose another --port");
        }
        finally
        {
            listener.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("999.1.1.1", "is not an IP address", DisplayName = "not an address")]
    [DataRow("example.com", "is not an IP address", DisplayName = "a host name")]
    [DataRow("192.0.2.1", "is not an address of this machine", DisplayName = "someone else's address (TEST-NET-1)")]
    public void AHostThatIsNotAnAddressOfThisMachineIsRefusedBeforeBinding(string host, string expected)
    {
        string folder = Directory.CreateTempSubdirectory("makemore-serve-").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            Assert.AreEqual(0, Run("train", "--order", "2", "-o", zip, "--samples", "0", "-q").Code);
            using var process = Start("serve", "-m", zip, "--host", host, "--port", "0"); // its own process: one that binds never returns
            try
            {
                Assert.IsTrue(process.WaitForExit(30_000), "refused at once, not served");
                string error = process.StandardError.ReadToEnd();
                Assert.AreEqual(2, process.ExitCode, error);
                Assert.AreEqual("", process.StandardOutput.ReadToEnd(), "nothing was served");
                Assert.AreEqual(1, error.TrimEnd().Split('\n').Length, error);
                StringAssert.StartsWith(error, $"makemore: --host {host} ");
                StringAssert.Contains(error, expected);
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public async Task ServingEveryInterfaceWarnsThatTheServiceHasNoAuthentication()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-serve-").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            Assert.AreEqual(0, Run("train", "--order", "2", "-o", zip, "--samples", "0", "-q").Code);
            using var process = Start("serve", "-m", zip, "--host", "0.0.0.0", "--port", "0");
            try
            {
                string warning = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
                string first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
                StringAssert.StartsWith(warning, "makemore: warning: ");
                StringAssert.Contains(warning, "no authentication");
                StringAssert.Contains(first, "serving ");
                using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                    kill.WaitForExit();
                Assert.IsTrue(process.WaitForExit(15_000), "Ctrl+C stops the service");
                Assert.AreEqual("", (await process.StandardError.ReadToEndAsync()).Trim(), "the warning is one line");
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ServingAModelThatIsNotThereIsAUsageError()
    {
        var run = Run("serve", "-m", "no-such-model.zip");
        Assert.AreEqual(2, run.Code);
        StringAssert.Contains(run.Error, "no-such-model.zip");
    }
}
