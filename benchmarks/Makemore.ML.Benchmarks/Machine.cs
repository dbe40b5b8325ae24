using System.Runtime.InteropServices;

namespace Makemore.ML.Benchmarks;

/// <summary>The lines the peer table starts with (after the program's data line): the machine, the runtimes and the method.</summary>
internal static class Machine
{
    private const string BlasAlternative = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu";

    public static void Print(PythonPeer? peer)
    {
        Console.WriteLine($"machine: {Cpu()}, {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; load average {LoadAverage()}");
        Console.WriteLine($"ours: .NET {Environment.Version}, TorchSharp-cpu 0.107.0 on 1 thread (`TorchRuntime.SetThreads(1)`)");
        if (peer is not null)
        {
            string blas = File.Exists(BlasAlternative) ? new FileInfo(BlasAlternative).LinkTarget ?? "?" : "?";
            Console.WriteLine($"peers: {peer.Python} (Python {peer.Versions.GetValueOrDefault("python", "?")}), torch {peer.Versions.GetValueOrDefault("torch", "missing")} "
                + $"(`torch.set_num_threads(1)`, BLAS {blas}), nltk {peer.Versions.GetValueOrDefault("nltk", "missing")}");
        }
        Console.WriteLine("method: side by side in one run; each round measures every contender (median of its passes), cells are medians over rounds; C# paths warmed up first (tiered JIT)");
        Console.WriteLine();
    }

    private static string Cpu()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
