using JourneyFunctions.Api;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>POST /api/contacts</c>, <c>GET /api/contacts?email=</c>, <c>GET|DELETE /api/contacts/{id}</c>. Erasing ends the contact's runs through their
/// orchestrations (a cancel event each) before its data is deleted.
/// </summary>
public sealed class ContactsFunctions(ContactService contacts, IContactStore store, RunStartPreparer preparer, IOptions<ApiOptions> options, ILogger<ContactsFunctions> logger)
{
    [Function(ApiRoutes.Names.UpsertContact)]
    public async Task<IResult> UpsertContact(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.Contacts)] HttpRequest request,
        CancellationToken cancellationToken) =>
        await ContactsApi.UpsertAsync(request, contacts, options, cancellationToken);

    [Function(ApiRoutes.Names.SearchContacts)]
    public async Task<IResult> SearchContacts(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.Contacts)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await ContactsApi.SearchAsync(request.Query["email"].FirstOrDefault(), store, cancellationToken);
    }

    [Function(ApiRoutes.Names.GetContact)]
    public async Task<IResult> GetContact(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.Contact)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await ContactsApi.GetAsync(RouteIds.Decode(request, ApiRoutes.GetContact, id), contacts, cancellationToken);

    [Function(ApiRoutes.Names.EraseContact)]
    public async Task<IResult> EraseContact(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Delete, Route = ApiRoutes.Templates.Contact)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        await ContactsApi.EraseAsync(RouteIds.Decode(request, ApiRoutes.EraseContact, id), contacts, new DurableRunDispatcher(client, preparer, logger), cancellationToken);
}
