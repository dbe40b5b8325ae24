using System.Diagnostics;
using System.Text.Json;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The Python side of the peer tables: Debian's <c>/usr/bin/python3</c> (python3-torch 1.13, python3-nltk 3.8; the
/// pyenv <c>python3</c> on PATH has neither) running <c>benchmarks/peers/peers.py</c>, one JSON object per call.
/// </summary>
internal sealed class PythonPeer
{
    private const string DebianPython = "/usr/bin/python3";

    private PythonPeer(string python, string script, IReadOnlyDictionary<string, string> versions)
    {
        Python = python;
        Script = script;
        Versions = versions;
    }

    public string Python { get; }

    public string Script { get; }

    /// <summary>python, torch and nltk versions, or <c>torch_error</c> / <c>nltk_error</c> when one is missing.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; }

    public bool HasTorch => Versions.ContainsKey("torch");

    public bool HasNltk => Versions.ContainsKey("nltk");

    /// <summary>The peer, or null with the one line that says what is missing.</summary>
    public static PythonPeer? Find(out string? missing)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "peers", "peers.py");
        if (!File.Exists(DebianPython))
        {
            missing = $"peer missing: {DebianPython} (Debian's python3); run benchmarks/setup-peers. Python rows are left out.";
            return null;
        }
        if (!File.Exists(script))
        {
            missing = $"peer missing: {script}; rebuild the benchmark project. Python rows are left out.";
            return null;
        }
        var probe = new PythonPeer(DebianPython, script, new Dictionary<string, string>());
        var versions = probe.Run(["versions"]);
        if (versions is null)
        {
            missing = $"peer missing: {DebianPython} {script} versions failed. Python rows are left out.";
            return null;
        }
        var peer = new PythonPeer(DebianPython, script, versions.ToDictionary(p => p.Key, p => p.Value.ToString()));
        var lacking = new List<string>();
        if (!peer.HasTorch)
            lacking.Add($"torch ({peer.Versions.GetValueOrDefault("torch_error", "?")}; apt-get install python3-torch)");
        if (!peer.HasNltk)
            lacking.Add($"nltk ({peer.Versions.GetValueOrDefault("nltk_error", "?")}; apt-get install python3-nltk)");
        missing = lacking.Count == 0 ? null : $"peer missing: {string.Join(", ", lacking)}; run benchmarks/setup-peers. Their rows are left out.";
        return peer;
    }

    /// <summary>Runs one mode of the script; its JSON object's numbers by key, or null when it failed.</summary>
    public Dictionary<string, JsonElement>? Run(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Python, [Script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Makes a current OpenBLAS slower (see the MLP table); the peer deserves its best.
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"peer failed: {Python} {Script} {string.Join(' ', arguments)}: {error.Result.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        using var document = JsonDocument.Parse(line);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
