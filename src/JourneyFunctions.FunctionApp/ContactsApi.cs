using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Host;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HostApi = JourneyFunctions.Host.Api;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>POST /api/contacts</c>, <c>GET|DELETE /api/contacts/{id}</c>. Erasing ends the contact's runs through their
/// orchestrations (a cancel event each) before its data is deleted.
/// </summary>
public sealed class ContactsApi(ContactService contacts, RunStartPreparer preparer, IOptions<JourneyHostOptions> options, ILogger<ContactsApi> logger)
{
    [Function("UpsertContact")]
    public async Task<IResult> UpsertContact(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "contacts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await HostApi.ContactsApi.UpsertAsync(request, contacts, options, cancellationToken);

    [Function("GetContact")]
    public async Task<IResult> GetContact(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "contacts/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await HostApi.ContactsApi.GetAsync(id, contacts, cancellationToken);

    [Function("EraseContact")]
    public async Task<IResult> EraseContact(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "contacts/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        await HostApi.ContactsApi.EraseAsync(id, contacts, new DurableRunDispatcher(client, preparer, logger), cancellationToken);
}
