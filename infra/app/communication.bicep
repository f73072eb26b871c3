// Azure Communication Services for email: an Email Communication Service with an Azure-managed domain (works at once,
// DoNotReply@<guid>.azurecomm.net) and, optionally, the business's own domain. A custom domain must be verified (DNS
// records shown in the portal) before ACS accepts linking it, hence the separate "verified" switch: deploy once with
// the domain, add the DNS records, verify, then deploy again with customEmailDomainVerified=true to send from it.

param communicationServiceName string
param emailServiceName string

@description('Where ACS stores data at rest (a geography name such as Europe or United States).')
param dataLocation string

param tags object = {}

@description('Your own sending domain (e.g. mail.example.com). Empty to send from the Azure-managed domain only.')
param customEmailDomain string = ''

@description('True once the custom domain is verified in ACS: only then is it linked and used as the sender.')
param customEmailDomainVerified bool = false

@description('Local part of the sender address on the custom domain.')
param senderUsername string = 'DoNotReply'

@description('Principal id of the Function App identity, granted the role that lets it send email with Entra ID auth.')
param appPrincipalId string

// "Communication and Email Service Owner": ACS honours built-in roles only (custom roles are not supported for its
// data plane), and this is the role its docs name for sending email with a Microsoft Entra ID identity.
var communicationAndEmailServiceOwner = '09976791-48a7-449e-bb21-39d1a415f350'

var useCustomDomain = !empty(customEmailDomain) && customEmailDomainVerified

resource emailService 'Microsoft.Communication/emailServices@2025-05-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    // Engagement tracking (opens, clicks) is only available on custom domains.
    userEngagementTracking: 'Disabled'
  }
}

resource customDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = if (!empty(customEmailDomain)) {
  parent: emailService
  name: empty(customEmailDomain) ? 'unused' : customEmailDomain
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    userEngagementTracking: 'Enabled'
  }
}

resource customSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2025-05-01' = if (!empty(customEmailDomain)) {
  parent: customDomain
  name: toLower(senderUsername)
  properties: {
    username: senderUsername
    displayName: senderUsername
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: useCustomDomain ? [managedDomain.id, customDomain.id] : [managedDomain.id]
    disableLocalAuth: true
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, appPrincipalId, communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', communicationAndEmailServiceOwner)
  }
}

output communicationServiceId string = communicationService.id
output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
output senderAddress string = useCustomDomain
  ? '${senderUsername}@${customEmailDomain}'
  : 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
