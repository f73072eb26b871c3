// JourneyFunctions on Azure: one resource group with the Function App (Flex Consumption, .NET 10 isolated, Durable
// Functions on Azure Storage), its storage account, Application Insights, Key Vault, Communication Services email and
// the Event Grid subscription that brings delivery and engagement reports back. Deployed by `azd up` (azure.yaml).
// Plain Bicep with local modules only: nothing is fetched from a module registry.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region of the resource group and its regional resources (must offer Flex Consumption).')
param location string

@description('Your own sending domain (e.g. mail.example.com). Empty: send from the Azure-managed domain.')
param customEmailDomain string = ''

@description('Set to true after the custom domain is verified in ACS; links it and makes it the sender.')
param customEmailDomainVerified bool = false

@description('Geography where Communication Services keeps email data at rest.')
param emailDataLocation string = 'Europe'

@description('Object id of the person running azd (azd sets AZURE_PRINCIPAL_ID); gets data access for local tools.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
@description('Kind of principal principalId is: User for a person, ServicePrincipal when azd runs in a pipeline.')
param principalType string = 'User'

@description('Create the Event Grid subscription that delivers ACS reports to the app\'s /api/eventgrid webhook. Event Grid validates the endpoint when it creates the subscription, so the app code must be deployed first: azd sets it in the postdeploy hook.')
param subscribeAcsEvents bool = false

@description('Application id or Application ID URI of the Entra app registration Event Grid requests tokens for when it delivers ACS reports to /api/eventgrid (the WebHook subscription\'s azureActiveDirectoryApplicationIdOrUri). Create it once (docs/deploy.md); needed when subscribeAcsEvents is true.')
param eventGridApplicationIdOrUri string = ''

@description('Entra tenant of that app registration (the subscription\'s azureActiveDirectoryTenantId); default the deployment\'s tenant.')
param eventGridTenantId string = tenant().tenantId

@secure()
@minLength(32)
@description('HMAC key for unsubscribe tokens (at least 32 random characters), stored in Key Vault. azure.yaml\'s preprovision hook generates it once into the azd environment (UNSUBSCRIBE_SIGNING_KEY), so redeploys keep it.')
param unsubscribeSigningKey string

@secure()
@minLength(32)
@description('HMAC key of the suppression list and the ledger\'s recipient hashes (Suppressions:Key), stored in Key Vault. azure.yaml\'s preprovision hook generates it once into the azd environment (SUPPRESSIONS_KEY). It must stay the same for the life of the installation: a new key makes every stored suppression unreadable.')
param suppressionsKey string

var tags = {
  'azd-env-name': environmentName
}
@description('Region of the dashboard (Azure Static Web Apps is offered in a few regions: westeurope, eastus2, centralus, westus2, eastasia).')
param dashboardLocation string = 'westeurope'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module monitoring 'app/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'app/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    unsubscribeSigningKey: unsubscribeSigningKey
    suppressionsKey: suppressionsKey
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module communication 'app/communication.bicep' = {
  scope: rg
  params: {
    communicationServiceName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
    customEmailDomain: customEmailDomain
    customEmailDomainVerified: customEmailDomainVerified
    appPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'app/function.bicep' = {
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    appName: 'func-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    acsEndpoint: communication.outputs.endpoint
    emailSenderAddress: communication.outputs.senderAddress
    unsubscribeSigningKeyReference: keyVault.outputs.signingKeyReference
    suppressionsKeyReference: keyVault.outputs.suppressionsKeyReference
    eventGridTenantId: eventGridTenantId
    eventGridApplicationIdOrUri: eventGridApplicationIdOrUri
  }
}

module dashboard 'app/dashboard.bicep' = {
  scope: rg
  params: {
    name: 'stapp-${resourceToken}'
    location: dashboardLocation
    tags: tags
    functionAppId: functionApp.outputs.id
    functionAppLocation: location
  }
}

module eventGrid 'app/eventgrid.bicep' = if (subscribeAcsEvents) {
  scope: rg
  params: {
    systemTopicName: 'evgt-${resourceToken}'
    tags: tags
    communicationServiceId: communication.outputs.communicationServiceId
    endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/eventgrid'
    azureActiveDirectoryApplicationIdOrUri: eventGridApplicationIdOrUri
    azureActiveDirectoryTenantId: eventGridTenantId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output DASHBOARD_URL string = dashboard.outputs.url
output ACS_ENDPOINT string = communication.outputs.endpoint
output EMAIL_SENDER string = communication.outputs.senderAddress
