using Makemore.ML.Sampling;

namespace Makemore.ML.Tests.Sampling;

/// <summary>Checks of generated names against <see cref="NameConstraints"/>, shared by the tests of every model type.</summary>
internal static class ConstraintChecks
{
    /// <summary>Every name satisfies every constraint (names made by decoding, never filtered).</summary>
    public static void AssertSatisfied(IEnumerable<string> names, NameConstraints c)
    {
        int count = 0;
        foreach (string name in names)
        {
            count++;
            Assert.StartsWith(c.StartsWith, name, $"'{name}' starts with '{c.StartsWith}'");
            Assert.EndsWith(c.EndsWith, name, $"'{name}' ends with '{c.EndsWith}'");
            Assert.Contains(c.Contains, name, $"'{name}' contains '{c.Contains}'");
            Assert.AreEqual(-1, name.IndexOfAny(c.ExcludedCharacters.ToCharArray()), $"'{name}' has none of '{c.ExcludedCharacters}'");
            Assert.IsTrue(name.Length >= c.MinLength && name.Length <= c.MaxLength, $"'{name}' has {c.MinLength} to {c.MaxLength} characters");
        }
        Assert.IsGreaterThan(0, count);
    }
}
