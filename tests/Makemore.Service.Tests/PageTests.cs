using System.Buffers.Binary;
using System.Diagnostics;

namespace Makemore.Service.Tests;

/// <summary>
/// The page in a real browser: Debian's headless Chromium loads it from the running service, runs its script (which
/// calls /model, /score and /generate), and takes a screenshot.
/// </summary>
[TestClass]
public sealed class PageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const int Width = 1000, Height = 900;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void HeadlessChromiumRendersTheScoreBarsAndGeneratedNames()
    {
        if (!File.Exists(Chromium))
            Assert.Inconclusive($"{Chromium} is not installed (apt-get install chromium; .ci/run installs it): the page was not rendered.");
        string folder = Directory.CreateTempSubdirectory("makemore-page-").FullName;
        try
        {
            string url = new Uri(ServiceHost.Address, "/?name=anna").ToString();
            string dom = RunChromium(folder, "--dump-dom", url);
            StringAssert.Contains(dom, "anna: ", "the score verdict was not rendered");
            StringAssert.Contains(dom, "nats/char");
            Assert.AreEqual(5, CountOccurrences(dom, "class=\"bar\"") + CountOccurrences(dom, "class=\"bar high\""), "one surprisal bar per predicted symbol of 'anna.'");
            string firstName = new Makemore.ML.Sampling.NameGenerator(ServiceHost.Served.Model).Generate(1)[0];
            StringAssert.Contains(dom, $"<td>{firstName}</td>", "the generated names were not listed");

            string png = Path.Combine(folder, "page.png");
            RunChromium(folder, $"--screenshot={png}", url);
            byte[] image = File.ReadAllBytes(png);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image[..4]);
            Assert.AreEqual(Width, BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(16)));
            Assert.AreEqual(Height, BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(20)));
            Assert.IsTrue(image.Length > 20_000, $"a {image.Length:N0}-byte screenshot is too small to hold the rendered page (a blank page is ~5 kB)");
            string kept = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "name-service.png");
            File.Copy(png, kept, overwrite: true);
            TestContext.WriteLine($"screenshot: {kept} ({image.Length:N0} bytes)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
            count++;
        return count;
    }

    // Headless, sandbox-free (tests run as root in CI), with the background networking that a closed machine refuses turned off.
    private static string RunChromium(string folder, string action, string url)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={Path.Combine(folder, "profile")}",
            $"--window-size={Width},{Height}", "--virtual-time-budget=5000", action, url,
        })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish in 60 s: {error.Result}");
        }
        Assert.AreEqual(0, process.ExitCode, error.Result);
        return output.Result;
    }
}
