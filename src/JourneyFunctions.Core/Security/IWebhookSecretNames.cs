namespace JourneyFunctions.Core.Security;

/// <summary>
/// Which <c>{{secret:NAME}}</c> names the configuration holds a value for (<c>Webhooks:Secrets:NAME</c>). Only the
/// names: publishing warns about a reference nothing fills in, and never sees a value.
/// </summary>
public interface IWebhookSecretNames
{
    bool IsConfigured(string name);
}
