// Key Vault for the app's two secrets: the HMAC key that signs one-click unsubscribe tokens, and the HMAC key of the
// suppression list (Suppressions:Key). The app reads them
// through a Key Vault reference resolved with its managed identity (Key Vault Secrets User), so the app settings hold
// only a pointer. The value comes from the azd environment (UNSUBSCRIBE_SIGNING_KEY, generated once by azure.yaml's
// preprovision hook), so redeploying writes the same value and never breaks links in emails already sent.

param name string
param location string
param tags object = {}

@secure()
@minLength(32)
@description('The unsubscribe-token signing key.')
param unsubscribeSigningKey string

@secure()
@minLength(32)
@description('The HMAC key of the suppression list and ledger recipient hashes.')
param suppressionsKey string

@description('Principal id of the Function App identity (reads the secret).')
param appPrincipalId string

@description('Optional principal id of the person running azd, who may read and rotate the secret. Empty to skip.')
param userPrincipalId string = ''

@allowed(['User', 'ServicePrincipal'])
param userPrincipalType string = 'User'

var secretName = 'unsubscribe-signing-key'
var suppressionsSecretName = 'suppressions-key'

// Key Vault Secrets User / Secrets Officer (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource signingKey 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: secretName
  properties: {
    value: unsubscribeSigningKey
    contentType: 'HMAC-SHA256 key for unsubscribe tokens'
  }
}

resource suppressionsSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: suppressionsSecretName
  properties: {
    value: suppressionsKey
    contentType: 'HMAC-SHA256 key of the suppression list'
  }
}

resource appReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

resource userOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(vault.id, userPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri

@description('App-setting value: a Key Vault reference to the latest version of the signing key.')
output signingKeyReference string = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${signingKey.name})'

@description('App-setting value: a Key Vault reference to the latest version of the suppression-list key.')
output suppressionsKeyReference string = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${suppressionsSecret.name})'
