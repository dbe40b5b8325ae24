namespace Makemore.ML;

/// <summary>
/// A model file, or the state inside a loaded model, is damaged: a checksum does not match, an entry is missing or
/// truncated, or the bytes do not parse. A damaged file is always an error, never a model that gives other numbers.
/// </summary>
public sealed class ModelFileDamagedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is damaged; starts with "the model file is damaged".</param>
    /// <param name="innerException">The error that revealed it, if any.</param>
    public ModelFileDamagedException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>
/// A model (a file, or a loaded transformer) holds no Makemore language model: it is some other ML.NET model, or not
/// an ML.NET model at all. Derives from <see cref="ArgumentException"/>, which <see cref="MakemoreModel"/> threw before.
/// </summary>
public sealed class NotAMakemoreModelException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was found instead.</param>
    /// <param name="innerException">The error that revealed it, if any.</param>
    public NotAMakemoreModelException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
