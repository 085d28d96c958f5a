// Names of automations as BotCity customers write them (camelCase labels),
// and the systems their descriptions mention.

export const AUTOMATION_LABELS: readonly string[] = [
  'supplierHomologation', 'invoiceProcessing', 'bankReconciliation', 'purchaseOrderEntry',
  'payrollValidation', 'customerOnboarding', 'taxReportGeneration', 'nfeDownload',
  'boletoIssuance', 'expenseAudit', 'inventorySync', 'creditAnalysis',
  'contractRenewal', 'freightQuotation', 'employeeAdmission', 'salesReportConsolidation',
  'accountsPayable', 'accountsReceivable', 'cnpjValidation', 'priceMonitoring',
  'emailTriage', 'claimsProcessing', 'vendorPayment', 'orderFulfillment',
  'ticketClassification', 'stockReplenishment', 'insuranceQuotation', 'cardReconciliation',
  'fiscalNoteIssuance', 'churnReport', 'leadEnrichment', 'receiptDigitization',
  'benefitEnrollment', 'complianceCheck', 'loanOrigination', 'timesheetApproval',
  'shipmentTracking', 'marketDataCollection', 'dueDiligence', 'pdfDataExtraction'
]

export const SYSTEMS: readonly string[] = [
  'SAP', 'TOTVS Protheus', 'Oracle EBS', 'Salesforce', 'the supplier portal',
  'the bank portal', 'Excel spreadsheets', 'the government portal', 'ServiceNow', 'Outlook'
]

export const EXTRA_REPOSITORIES: readonly string[] = ['FINANCE', 'OPERATIONS', 'HR', 'SUPPLY_CHAIN']

/** supplierHomologation → Supplier Homologation */
export function humanName(label: string): string {
  const words = label.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ')
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')
}
