namespace JourneyFunctions.Core.Ports;

/// <summary>
/// A template is missing, does not parse, or failed while rendering; the message names the template and file. Thrown
/// by <see cref="ITemplateRenderer"/>. When <see cref="Permanent"/> (the template parsed but failed on this data), the
/// same render fails again, so the email step ends as a permanent failed step; a missing or unparseable template (a
/// deploy or an edit in progress) is retried like any other failure.
/// </summary>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException()
    {
    }

    /// <summary>The template exists and parses but failed while rendering this model: retrying cannot help.</summary>
    public bool Permanent { get; init; }

    public TemplateRenderException(string message)
        : base(message)
    {
    }

    public TemplateRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
