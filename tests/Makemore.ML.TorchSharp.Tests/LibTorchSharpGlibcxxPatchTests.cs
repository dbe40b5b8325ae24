using System.Reflection;
using System.Runtime.InteropServices;
using Makemore.ML.TorchSharp.Build;
using TorchSharp;

namespace Makemore.ML.TorchSharp.Tests;

/// <summary>The ELF patch that the build targets apply (build/LibTorchSharpGlibcxxPatch.cs), run on copies.</summary>
[TestClass]
public sealed class LibTorchSharpGlibcxxPatchTests
{
    [TestMethod]
    public void BuildOutput_Library_LoadsHere()
    {
        string library = Path.Combine(AppContext.BaseDirectory, LibTorchSharpElf.LibraryFileName);
        string? libStdCxx = LibTorchSharpElf.FindLibStdCxx(AppContext.BaseDirectory);
        bool machineHasVersion = libStdCxx is not null && LibTorchSharpElf.Provides(libStdCxx, LibTorchSharpElf.MarkerVersion);

        MarkerRequirement requirement = LibTorchSharpElf.ReadRequirement(library);

        Assert.IsTrue(machineHasVersion || requirement != MarkerRequirement.Strict,
            $"{library} requires {LibTorchSharpElf.MarkerVersion} strictly and {libStdCxx} lacks it: the build targets did not run");
    }

    [TestMethod]
    public void Patch_ShippedLibrary_SetsOnlyTheWeakFlag_Once()
    {
        string shipped = ShippedLibrary();
        string copy = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{LibTorchSharpElf.LibraryFileName}");
        File.Copy(shipped, copy);
        try
        {
            Assert.AreEqual(MarkerRequirement.Strict, LibTorchSharpElf.ReadRequirement(copy));

            PatchOutcome first = LibTorchSharpElf.Patch(copy, out _);
            byte[] afterFirst = File.ReadAllBytes(copy);
            PatchOutcome second = LibTorchSharpElf.Patch(copy, out _);

            Assert.AreEqual(PatchOutcome.Patched, first);
            Assert.AreEqual(PatchOutcome.AlreadyWeak, second);
            CollectionAssert.AreEqual(afterFirst, File.ReadAllBytes(copy));
            Assert.AreEqual(MarkerRequirement.Weak, LibTorchSharpElf.ReadRequirement(copy));
            byte[] original = File.ReadAllBytes(shipped);
            int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != afterFirst[i]).ToArray();
            Assert.HasCount(1, changed);
            Assert.AreEqual(LibTorchSharpElf.VerFlagWeak, (ushort)(afterFirst[changed[0]] ^ original[changed[0]]));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [TestMethod]
    [DataRow(false, DisplayName = "hard link")]
    [DataRow(true, DisplayName = "symbolic link")]
    public void Patch_LinkToAnotherFile_ReplacesTheLinkNotTheFile(bool symbolic)
    {
        // MSBuild can link output files into the NuGet cache (CreateHardLinksForCopyLocalIfPossible and
        // CreateSymbolicLinksForCopyLocalIfPossible); "original" stands in for the cache's file.
        string original = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-original.so");
        string linked = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{LibTorchSharpElf.LibraryFileName}");
        File.Copy(ShippedLibrary(), original);
        try
        {
            if (symbolic)
                File.CreateSymbolicLink(linked, original);
            else
                Assert.AreEqual(0, link(original, linked), "link(2) failed");

            Assert.AreEqual(PatchOutcome.Patched, LibTorchSharpElf.Patch(linked, out _));

            Assert.AreEqual(MarkerRequirement.Strict, LibTorchSharpElf.ReadRequirement(original));
            Assert.AreEqual(MarkerRequirement.Weak, LibTorchSharpElf.ReadRequirement(linked));
        }
        finally
        {
            File.Delete(linked);
            File.Delete(original);
        }
    }

    [TestMethod]
    public void Patch_NotAnElfFile_IsLeftAlone()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "not an ELF file");
        try
        {
            Assert.AreEqual(PatchOutcome.NotNeeded, LibTorchSharpElf.Patch(path, out _));
            Assert.AreEqual("not an ELF file", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int link(string existingPath, string newPath);

    /// <summary>libLibTorchSharp.so in the NuGet cache, as shipped; read only.</summary>
    static string ShippedLibrary()
    {
        string packageRoot = typeof(LibTorchSharpGlibcxxPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "NuGetPackageRoot").Value!;
        Version version = typeof(torch).Assembly.GetName().Version!;
        string path = Path.Combine(packageRoot, "torchsharp", version.ToString(3), "runtimes", "linux-x64", "native", LibTorchSharpElf.LibraryFileName);
        if (!File.Exists(path))
            Assert.Inconclusive($"{path} is not in the NuGet cache");
        return path;
    }
}
