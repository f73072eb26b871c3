// The one identity the Function App runs as. Every data-plane permission (storage, Application Insights ingestion,
// ACS email, Key Vault) is granted to it, so no connection string or key ever sits in an app setting.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
