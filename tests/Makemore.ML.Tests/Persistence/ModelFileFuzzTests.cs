using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// Seeded fuzzing of saved model files: 10,000 mutants (bit flips, overwritten runs, truncations, entries swapped) each
/// either load and score exactly as the original, or fail with a typed model-file exception. Never another number.
/// </summary>
[TestClass]
public sealed class ModelFileFuzzTests
{
    private const int Mutants = 10_000;
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private enum Mutation { FlipOneBit, FlipSeveralBits, OverwriteRun, Truncate, SwapEntries }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TenThousandMutatedZipsGiveTheSameScoresOrATypedErrorAndNeverHang()
    {
        byte[] original = ModelFileTests.SavedTrigram();
        double[] expected = ModelFileTests.Scores(new MLContext().Makemore().Load(new MemoryStream(original), out _));
        var random = new Random(20261201);
        var outcomes = new Dictionary<(Mutation, string), int>();
        var wrong = new List<string>();
        for (int i = 0; i < Mutants; i++)
        {
            var mutation = (Mutation)random.Next(5);
            byte[] mutant = Mutate(original, mutation, random);
            string outcome;
            var task = Task.Run(() => Try(mutant, expected));
            if (!task.Wait(HangLimit))
                Assert.Fail($"mutant {i} ({mutation}) did not finish within {HangLimit.TotalSeconds} s");
            outcome = task.Result;
            if (outcome.StartsWith("WRONG", StringComparison.Ordinal) || outcome.StartsWith("UNEXPECTED", StringComparison.Ordinal))
                wrong.Add($"mutant {i} ({mutation}): {outcome}");
            var key = (mutation, outcome.StartsWith("WRONG", StringComparison.Ordinal) || outcome.StartsWith("UNEXPECTED", StringComparison.Ordinal) ? "failure" : outcome);
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        foreach (var ((mutation, outcome), count) in outcomes.OrderBy(o => o.Key.Item1).ThenBy(o => o.Key.Item2))
            TestContext.WriteLine($"{mutation,-16} {outcome,-28} {count,6}");
        Assert.IsEmpty(wrong, string.Join("\n", wrong.GroupBy(w => w[(w.IndexOf(':') + 1)..]).Select(g => $"{g.Count()}x {g.First()}")));
        // The mutations must reach the checks that matter, not only the zip reader.
        Assert.IsGreaterThan(0, outcomes.GetValueOrDefault((Mutation.SwapEntries, nameof(ModelFileDamagedException))));
        Assert.IsGreaterThan(0, outcomes.GetValueOrDefault((Mutation.FlipOneBit, nameof(ModelFileDamagedException))));
    }

    private static string Try(byte[] mutant, double[] expected)
    {
        try
        {
            var model = new MLContext().Makemore().Load(new MemoryStream(mutant), out _);
            double[] actual = ModelFileTests.Scores(model);
            return actual.SequenceEqual(expected) ? "same scores" : $"WRONG: {string.Join(", ", actual)}";
        }
        catch (ModelFileDamagedException)
        {
            return nameof(ModelFileDamagedException);
        }
        catch (NotAMakemoreModelException)
        {
            return nameof(NotAMakemoreModelException);
        }
        catch (Exception e)
        {
            return $"UNEXPECTED {e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }
    }

    private static byte[] Mutate(byte[] original, Mutation mutation, Random random)
    {
        byte[] bytes = (byte[])original.Clone();
        switch (mutation)
        {
            case Mutation.FlipOneBit:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case Mutation.FlipSeveralBits:
                for (int n = random.Next(2, 9); n > 0; n--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case Mutation.OverwriteRun:
                int start = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 65))));
                return bytes;
            case Mutation.Truncate:
                return bytes[..random.Next(bytes.Length)];
            case Mutation.SwapEntries:
                return SwapTwoEntries(original, random);
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation));
        }
    }

    // Rebuilds the zip with the contents of two different entries exchanged: every CRC is valid, the manifest is kept.
    private static byte[] SwapTwoEntries(byte[] original, Random random)
    {
        using var source = new ZipArchive(new MemoryStream(original));
        var contents = source.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, Content: copy.ToArray());
        }).ToList();
        int a, b;
        do
        {
            (a, b) = (random.Next(contents.Count), random.Next(contents.Count));
        }
        while (a == b || contents[a].Content.AsSpan().SequenceEqual(contents[b].Content));
        (contents[a], contents[b]) = ((contents[a].FullName, contents[b].Content), (contents[b].FullName, contents[a].Content));
        using var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in contents)
            {
                using var stream = target.CreateEntry(name).Open();
                stream.Write(content);
            }
        return output.ToArray();
    }
}
