namespace JourneyFunctions.Core.Ports;

/// <summary>
/// A template is missing, does not parse, or failed while rendering; the message names the template and file. Thrown
/// by <see cref="ITemplateRenderer"/>; rendering the same template on the same data fails again, so an email step
/// whose render fails ends as a permanent failed step rather than being retried.
/// </summary>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException()
    {
    }

    public TemplateRenderException(string message)
        : base(message)
    {
    }

    public TemplateRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
