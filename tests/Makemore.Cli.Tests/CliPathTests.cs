using Makemore.Cli.Internal;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// Nothing lost through a path: an output that is one of the inputs, a folder given for a file, split's three files as a
/// set, a folder that cannot be written. Every refusal comes before any work: exit 2, one line.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliPathTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-paths-").FullName;
        File.WriteAllLines(InFolder("names.txt"), TestData.Tiny.Concat(["emily", "harper", "evelyn", "abigail", "zoe", "quinn", "jack", "wyatt", "noah", "james"]));
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("bigram.zip"), "--samples", "0", "-q").Code);
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("trigram.zip"), "--order", "3", "--samples", "0", "-q").Code);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    // A fresh folder per case, so that a case that overwrites a file (the defect) cannot spoil another.
    private static string CaseFolder()
    {
        string folder = InFolder(Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.Copy(InFolder("names.txt"), Path.Combine(folder, "names.txt"));
        File.Copy(InFolder("bigram.zip"), Path.Combine(folder, "a.zip"));
        File.Copy(InFolder("trigram.zip"), Path.Combine(folder, "b.zip"));
        return folder;
    }

    // The words of a command line, each file name taken as a file of the case folder.
    private static string[] Args(string folder, string line) =>
        line.Split(' ').Select(w => w.Contains('.') && !w.StartsWith('-') && !w.StartsWith('/') || w.EndsWith('/') ? Path.Combine(folder, w) : w).ToArray();

    private static void AssertOneLine(string error, string start)
    {
        StringAssert.StartsWith(error, "makemore: " + start);
        Assert.AreEqual(1, error.TrimEnd().Split('\n').Length, error);
    }

    [TestMethod]
    [DataRow("train -i names.txt -o names.txt --samples 0", "names.txt")]
    [DataRow("train -i names.txt --type mlp --steps 2 --n-hidden 8 --checkpoint names.txt -o out.zip --samples 0 -q", "names.txt")]
    [DataRow("train -i names.txt --type mlp --steps 2 --n-hidden 8 --checkpoint run.ckpt -o run.ckpt --samples 0 -q", "run.ckpt")]
    [DataRow("train -i names.txt --type rnn --steps 2 --n-embd 4 --n-embd2 4 --teacher a.zip -o a.zip --samples 0 -q", "a.zip")]
    [DataRow("plot bigram -i names.txt -o names.txt", "names.txt")]
    [DataRow("plot loss -i names.txt --steps 2 -o names.txt", "names.txt")]
    [DataRow("plot probabilities -m a.zip -o a.zip", "a.zip")]
    [DataRow("plot surprisal -m a.zip -o a.zip anna", "a.zip")]
    [DataRow("plot sweep -i names.txt --grid 1 -o names.txt", "names.txt")]
    [DataRow("sweep -i names.txt --grid 1 --plot names.txt", "names.txt")]
    [DataRow("interpolate -m a.zip -m b.zip -i names.txt -o a.zip", "a.zip")]
    [DataRow("train -i names.txt -o link.txt --samples 0", "names.txt", DisplayName = "-o is a symbolic link to the input")]
    [DataRow("train -i names.txt -o linked/names.txt --samples 0", "names.txt", DisplayName = "-o is the input through a linked folder")]
    public void AnOutputThatIsAnInputIsRefusedBeforeAnyWork(string line, string kept)
    {
        string folder = CaseFolder();
        File.CreateSymbolicLink(Path.Combine(folder, "link.txt"), Path.Combine(folder, "names.txt"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "linked"), folder);
        string file = Path.Combine(folder, kept);
        byte[]? before = File.Exists(file) ? File.ReadAllBytes(file) : null;
        var run = Run(Args(folder, line));
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, "--");
        StringAssert.Contains(run.Error, "; choose another output");
        Assert.AreEqual("", run.Output, "refused before any work");
        if (before is null)
            Assert.IsFalse(File.Exists(file));
        else
            CollectionAssert.AreEqual(before, File.ReadAllBytes(file));
    }

    [TestMethod]
    public void TheMessageNamesTheOutputAndTheInput()
    {
        string folder = CaseFolder();
        string names = Path.Combine(folder, "names.txt");
        var run = Run("train", "-i", names, "-o", names, "--samples", "0");
        Assert.AreEqual($"makemore: --output {names} is the input file {names} (-i); choose another output", run.Error.TrimEnd());
    }

    [TestMethod]
    public void ResumingFromTheCheckpointTheRunWritesIsAllowed()
    {
        string folder = CaseFolder();
        string[] mlp = ["train", "-i", Path.Combine(folder, "names.txt"), "--type", "mlp", "--n-embd", "4", "--n-hidden", "8", "--samples", "0", "-q",
            "--checkpoint", Path.Combine(folder, "run.ckpt")];
        var first = Run([.. mlp, "--steps", "2", "-o", Path.Combine(folder, "first.zip")]);
        Assert.AreEqual(0, first.Code, first.Error);
        var resumed = Run([.. mlp, "--steps", "4", "--resume", Path.Combine(folder, "run.ckpt"), "-o", Path.Combine(folder, "resumed.zip")]);
        Assert.AreEqual(0, resumed.Code, resumed.Error);
    }

    [TestMethod]
    public void SplitRefusesToOverwriteItsInput()
    {
        string folder = CaseFolder();
        string train = Path.Combine(folder, "train.txt");
        File.Copy(Path.Combine(folder, "names.txt"), train);
        var run = Run("split", "-i", train, "-o", folder);
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, $"--output {train} is the input file {train} (-i)");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, "names.txt")), File.ReadAllBytes(train));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "dev.txt")));
    }

    [TestMethod]
    public void SplitLeavesTheOldSetWhenOneOfTheNewFilesCannotBeWritten()
    {
        string folder = CaseFolder();
        string splits = Path.Combine(folder, "splits");
        Directory.CreateDirectory(Path.Combine(splits, "test.txt")); // the third file cannot be written
        File.WriteAllText(Path.Combine(splits, "train.txt"), "old\n");
        File.WriteAllText(Path.Combine(splits, "dev.txt"), "old\n");
        var run = Run("split", "-i", Path.Combine(folder, "names.txt"), "-o", splits);
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, "Cannot write ");
        StringAssert.Contains(run.Error, "is a folder");
        Assert.AreEqual("old\n", File.ReadAllText(Path.Combine(splits, "train.txt")), "no new train.txt beside an old dev.txt and test.txt");
        Assert.AreEqual("old\n", File.ReadAllText(Path.Combine(splits, "dev.txt")));
    }

    [TestMethod]
    public void AFileSetKeepsTheOldFilesWhenTheThirdWriteFails()
    {
        string folder = CaseFolder();
        string[] names = ["train.txt", "dev.txt", "test.txt"];
        foreach (string name in names)
            File.WriteAllText(Path.Combine(folder, name), "old " + name);
        int writes = 0;
        var error = Assert.ThrowsExactly<IOException>(() => FileSet.Write(folder, names.Select(n => (n, "new " + n)).ToList(), (stream, text) =>
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            if (++writes == 3)
                throw new IOException("No space left on device");
        }));
        Assert.AreEqual("No space left on device", error.Message);
        foreach (string name in names)
            Assert.AreEqual("old " + name, File.ReadAllText(Path.Combine(folder, name)));
        Assert.HasCount(6, Directory.GetFileSystemEntries(folder), "the three old files and the case's three: no temporary folder left");
    }

    [TestMethod]
    public void AFileSetPutsBackTheFilesItReplacedWhenALaterRenameFails()
    {
        string folder = CaseFolder();
        File.WriteAllText(Path.Combine(folder, "train.txt"), "old train");
        File.WriteAllText(Path.Combine(folder, "dev.txt"), "old dev");
        Directory.CreateDirectory(Path.Combine(folder, "test.txt", "inside")); // the last rename fails: a file cannot replace a folder
        Assert.Throws<IOException>(() => FileSet.Write(folder, [("train.txt", "new"), ("dev.txt", "new"), ("test.txt", "new")]));
        Assert.AreEqual("old train", File.ReadAllText(Path.Combine(folder, "train.txt")));
        Assert.AreEqual("old dev", File.ReadAllText(Path.Combine(folder, "dev.txt")));
        Assert.HasCount(6, Directory.GetFileSystemEntries(folder), "no temporary folder left");
    }

    [TestMethod]
    [DataRow("train -i names.txt -o new/ --samples 0")]
    [DataRow("train -i names.txt -o new/sub/ --samples 0")]
    [DataRow("train -i names.txt --type mlp --steps 2 --n-hidden 8 --checkpoint new/ -o out.zip --samples 0 -q")]
    [DataRow("plot loss -i names.txt --steps 2 -o new/")]
    [DataRow("plot sweep -i names.txt --grid 1 -o new/")]
    [DataRow("sweep -i names.txt --grid 1 --plot new/")]
    [DataRow("interpolate -m a.zip -m b.zip -i names.txt -o new/")]
    [DataRow("train -i names.txt -o old/ --samples 0", DisplayName = "an existing folder")]
    public void AFolderForAnOutputFileIsRefusedBeforeAnyWorkAndCreatesNothing(string line)
    {
        string folder = CaseFolder();
        Directory.CreateDirectory(Path.Combine(folder, "old"));
        var run = Run(Args(folder, line));
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, "Cannot write ");
        StringAssert.Contains(run.Error, "is a folder");
        Assert.AreEqual("", run.Output, "refused before any work");
        Assert.IsFalse(Directory.Exists(Path.Combine(folder, "new")));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "out.zip")));
        Assert.IsEmpty(Directory.GetFileSystemEntries(Path.Combine(folder, "old")));
    }

    [TestMethod]
    public void AMissingFolderIsCreatedWhenTheModelIsSavedNotBefore()
    {
        string folder = CaseFolder();
        string zip = Path.Combine(folder, "missing", "sub", "m.zip");
        var diverged = Run("train", "-i", Path.Combine(folder, "names.txt"), "--type", "softmax", "--lr", "1e9", "--steps", "1", "-o", zip, "--samples", "0");
        Assert.AreEqual(1, diverged.Code, diverged.Error);
        Assert.IsFalse(Directory.Exists(Path.Combine(folder, "missing")), "a run that saves nothing creates nothing");
        var saved = Run("train", "-i", Path.Combine(folder, "names.txt"), "-o", zip, "--samples", "0");
        Assert.AreEqual(0, saved.Code, saved.Error);
        Assert.IsTrue(File.Exists(zip));
    }

    [TestMethod]
    [DataRow("train -i names.txt -o names.txt/m.zip --samples 0")]
    [DataRow("train -i names.txt --type mlp --steps 2 --n-hidden 8 --checkpoint names.txt/sub/run.ckpt -o out.zip --samples 0 -q")]
    [DataRow("split -i names.txt -o names.txt/splits")]
    [DataRow("plot bigram -i names.txt -o names.txt/bigram.png")]
    [DataRow("plot loss -i names.txt --steps 2 -o names.txt/loss.png")]
    [DataRow("interpolate -m a.zip -m b.zip -i names.txt -o a.zip/mix.zip")]
    public void AFileWhereAFolderShouldBeIsRefusedBeforeAnyWork(string line)
    {
        string folder = CaseFolder();
        byte[] names = File.ReadAllBytes(Path.Combine(folder, "names.txt"));
        var run = Run(Args(folder, line));
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, "Cannot write ");
        StringAssert.Contains(run.Error, "is a file, not a folder");
        Assert.AreEqual("", run.Output, "refused before any work");
        CollectionAssert.AreEqual(names, File.ReadAllBytes(Path.Combine(folder, "names.txt")));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "out.zip")));
    }

    [TestMethod]
    [DataRow("split -i names.txt -o /proc")]
    [DataRow("split -i names.txt -o /proc/makemore-splits")]
    [DataRow("plot bigram -i names.txt -o /proc/makemore-bigram.png")]
    [DataRow("train -i names.txt -o /proc/makemore-model.zip --samples 0")]
    public void AFolderThatCannotBeWrittenIsRefusedWithOneLine(string line)
    {
        // /proc takes no new file even from root, and the tests run as root, where a chmod would not stop a write; a /proc
        // that took one would fail this test, not pass it silently.
        Assert.IsTrue(Directory.Exists("/proc"), "the test needs Linux's /proc");
        string folder = CaseFolder();
        var run = Run(Args(folder, line));
        Assert.AreEqual(2, run.Code, run.Error);
        AssertOneLine(run.Error, "Cannot write /proc/");
        StringAssert.Contains(run.Error, "/proc");
        Assert.DoesNotContain(".tmp", run.Error, "no temporary file's name");
        Assert.DoesNotContain(".probe", run.Error);
        Assert.AreEqual("", run.Output, "refused before any work");
    }
}
