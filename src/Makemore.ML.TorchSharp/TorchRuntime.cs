using System.Runtime.InteropServices;
using Makemore.ML.TorchSharp.Build;
using TorchSharp;

namespace Makemore.ML.TorchSharp;

/// <summary>Loads TorchSharp's CPU backend once, explains why when it cannot, and sets libtorch's thread count.</summary>
public static class TorchRuntime
{
    /// <summary>The libtorch intra-op thread count for Makemore.ML's small models: 1.</summary>
    /// <remarks>
    /// On 2 cores, 200 full-batch steps of a 27×27 softmax regression on 1,000 rows took 80–125 ms with 1 thread,
    /// whatever else ran. With libtorch's default (a thread per core) they took 56–79 ms on an idle machine,
    /// 210–230 ms beside two busy processes, and up to 5.5 s while a build was running: its threads wait for
    /// each other whenever a core is taken. Raise the count with <see cref="SetThreads"/> for large models on
    /// a machine of their own. <see cref="EnsureLoaded"/> leaves libtorch's setting as it is.
    /// </remarks>
    public const int DefaultThreadCount = 1;

    static readonly Lock Gate = new();
    static volatile bool loaded;

    /// <summary>Initialises TorchSharp's CPU backend, once per process; safe to call from any thread.</summary>
    /// <exception cref="InvalidOperationException">
    /// The native libraries could not be loaded; the message says why and what to do, the inner exception is TorchSharp's.
    /// </exception>
    public static void EnsureLoaded()
    {
        if (loaded)
            return;
        lock (Gate)
        {
            if (loaded)
                return;
            try
            {
                if (OperatingSystem.IsLinux())
                    LoadUnpatchedLibTorchSharpFirst();
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception error)
            {
                throw new InvalidOperationException(DescribeLoadFailure(error), error);
            }
            loaded = true;
        }
    }

    /// <summary>Sets the number of threads libtorch uses inside one operation, for the whole process.</summary>
    /// <param name="count">Threads, at least 1; <see cref="DefaultThreadCount"/> suits small models.</param>
    public static void SetThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        EnsureLoaded();
        torch.set_num_threads(count);
    }

    /// <summary>
    /// Loads an unpatched libLibTorchSharp.so by path before TorchSharp tries, so that a missing GLIBCXX_3.4.32
    /// surfaces as the loader's own error. TorchSharp's fallback would instead print a long trace and copy all of
    /// libtorch (~480 MB) from the NuGet cache into a cpu/ folder beside the app before failing the same way.
    /// </summary>
    static void LoadUnpatchedLibTorchSharpFirst()
    {
        if (FindLibTorchSharp() is { } library && LibTorchSharpElf.ReadRequirement(library) == MarkerRequirement.Strict)
            NativeLibrary.Load(library); // the same handle TorchSharp gets later; no effect if it fails
    }

    static string DescribeLoadFailure(Exception error)
    {
        if (OperatingSystem.IsLinux()
            && FindLibTorchSharp() is { } library
            && LibTorchSharpElf.ReadRequirement(library) == MarkerRequirement.Strict)
        {
            string? libStdCxx = LoadedLibStdCxx() ?? LibTorchSharpElf.FindLibStdCxx(Path.GetDirectoryName(library));
            if (libStdCxx is null || !LibTorchSharpElf.Provides(libStdCxx, LibTorchSharpElf.MarkerVersion))
            {
                return $"Cannot load TorchSharp's native library {library}: it requires {LibTorchSharpElf.MarkerVersion} "
                    + $"(the libstdc++ of GCC 13+), which this machine's libstdc++ ({libStdCxx ?? "not found"}) lacks. "
                    + "Rebuild with the Makemore.ML.TorchSharp build targets, which mark that requirement weak in the build output "
                    + $"(MakemoreTorchSharpGlibcxxPatch must not be 'never'), or install a libstdc++ with {LibTorchSharpElf.MarkerVersion} (GCC 13+).";
            }
        }
        string firstLine = error.Message.Split('\n', 2)[0].Trim();
        return $"TorchSharp's CPU backend could not be loaded: {firstLine} "
            + "Check that the app references TorchSharp-cpu and is built for a runtime that has libtorch binaries "
            + "(linux-x64, win-x64 or osx-arm64); the inner exception has TorchSharp's diagnostics.";
    }

    /// <summary>The libLibTorchSharp.so TorchSharp loads: beside the app (RID-specific build) or under runtimes/ (portable build).</summary>
    static string? FindLibTorchSharp()
    {
        string[] folders = [AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? ""];
        return folders
            .Where(folder => folder.Length > 0)
            .SelectMany(folder => new[]
            {
                Path.Combine(folder, LibTorchSharpElf.LibraryFileName),
                Path.Combine(folder, "runtimes", "linux-x64", "native", LibTorchSharpElf.LibraryFileName),
            })
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The libstdc++ already mapped into this process, if any (the .NET runtime often loads one).</summary>
    static string? LoadedLibStdCxx()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
                .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
