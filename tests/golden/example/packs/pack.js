(function(){"use strict";function todayIn(zone){var parts;try{parts=new Intl.DateTimeFormat("en-CA",{timeZone:zone||"Asia/Shanghai",year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",hourCycle:"h23"}).formatToParts(new Date());}catch(error){return todayIn("");}
var get=function(type){return parts.filter(function(p){return p.type===type;})[0].value;};return{date:get("year")+"-"+get("month")+"-"+get("day"),time:get("hour")+":"+get("minute")};}
function addDays(date,days){return new Date(Date.parse(date+"T00:00:00Z")+days*86400000).toISOString().slice(0,10);}
function daysBetween(first,second){return Math.round((Date.parse(second+"T00:00:00Z")-Date.parse(first+"T00:00:00Z"))/86400000);}
var SCRIPT=document.currentScript;var data={};try{data=JSON.parse(document.getElementById("qs-data").textContent)||{};}catch(error){data={};}
var PROFILE_KEY="qunsop:profile";var ASK_KEY="qunsop:ask";var GROUP_FIELDS=["群名","群编号"];var BAD_LINK="链接有误：";var toastTimer=null;function own(object,key){return object!==null&&typeof object==="object"&&Object.prototype.hasOwnProperty.call(object,key)&&typeof object[key]==="string"?object[key]:"";}
function store(key,value){try{if(value===null){localStorage.removeItem(key);}else{localStorage.setItem(key,value);}}catch(error){}}
function load(key){try{return localStorage.getItem(key);}catch(error){return null;}}
function loadJson(key,fallback){try{var value=JSON.parse(load(key)||"null");return value!==null&&typeof value===typeof fallback&&Array.isArray(value)===Array.isArray(fallback)?value:fallback;}catch(error){return fallback;}}
function toast(text){var node=document.getElementById("toast");if(!node){return;}
node.textContent=text;node.classList.add("on");clearTimeout(toastTimer);toastTimer=setTimeout(function(){node.classList.remove("on");},3500);}
function validDate(text){if(!/^\d{4}-\d{2}-\d{2}$/.test(text||"")){return false;}
var parsed=new Date(text+"T00:00:00Z");return!isNaN(parsed)&&parsed.toISOString().slice(0,10)===text;}
function fallbackCopy(text){var area=document.createElement("textarea");area.value=text;area.setAttribute("readonly","");area.style.position="fixed";area.style.top="0";area.style.opacity="0";document.body.appendChild(area);area.select();area.setSelectionRange(0,text.length);var copied=false;try{copied=document.execCommand("copy");}catch(error){copied=false;}
document.body.removeChild(area);if(!copied){throw new Error("copy blocked");}
window.getSelection().removeAllRanges();}
function copy(text){if(navigator.clipboard&&window.isSecureContext){return navigator.clipboard.writeText(text).catch(function(){fallbackCopy(text);});}
return new Promise(function(resolve){fallbackCopy(text);resolve();});}
function selectText(node){var range=document.createRange();range.selectNodeContents(node);var selection=window.getSelection();selection.removeAllRanges();selection.addRange(range);}
function readProfile(){return loadJson(PROFILE_KEY,{});}
function groupKey(){return"qunsop:group:"+data.calendar;}
function readGroup(){return loadJson(groupKey(),{});}
function clean(value){return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e]/g,"").trim().slice(0,60);}
function offerValues(values){var profile=readProfile(),group=readGroup(),conflicts=[],saved=false;function take(record,name,where){var value=clean(own(values,name));if(!value){return;}
var current=own(record,name);if(!current){record[name]=value;saved=true;}
else if(current!==value){conflicts.push({where:where,name:name,now:current,link:value});}}
(data.known||[]).forEach(function(name){take(profile,name,"profile");});GROUP_FIELDS.forEach(function(name){take(group,name,"group");});if(saved){store(PROFILE_KEY,JSON.stringify(profile));store(groupKey(),JSON.stringify(group));toast("门店信息已保存在这部手机上");}
if(conflicts.length){store(ASK_KEY,JSON.stringify({calendar:data.calendar,items:conflicts}));}}
function valuesFromAddress(){var params=new URLSearchParams(location.search);var values={},found=false;(data.known||[]).concat(GROUP_FIELDS).forEach(function(name){if(params.has(name)){values[name]=params.get(name);params["delete"](name);found=true;}});if(found){var rest=params.toString();history.replaceState(null,"",location.pathname+(rest?"?"+rest:"")+location.hash);}
return values;}
function showAsk(done){var pending=loadJson(ASK_KEY,{});var items=Array.isArray(pending.items)?pending.items:[];if(!items.length||pending.calendar!==data.calendar||document.getElementById("ask")){return;}
var main=document.querySelector("main");var box=document.createElement("div");box.className="qs-ask";box.id="ask";box.setAttribute("role","alertdialog");box.setAttribute("aria-label","链接里的信息要换吗");var lead=document.createElement("p");lead.textContent="链接里的信息和这部手机上保存的不一样，要换吗？";var list=document.createElement("ul");items.forEach(function(item){var li=document.createElement("li");li.textContent=own(item,"name")+"：手机上是“"+own(item,"now")+"”，链接里是“"+own(item,"link")+"”";list.appendChild(li);});function answer(replace){if(replace){var profile=readProfile(),group=readGroup();items.forEach(function(item){var target=item.where==="group"?group:profile;var value=clean(own(item,"link"));if(value){target[own(item,"name")]=value;}});store(PROFILE_KEY,JSON.stringify(profile));store(groupKey(),JSON.stringify(group));toast("已换成链接里的信息");}else{toast("保留了手机上的信息");}
store(ASK_KEY,null);box.parentNode.removeChild(box);if(done){done();}}
var yes=document.createElement("button");yes.type="button";yes.className="qs-button";yes.id="ask-replace";yes.textContent="换成链接里的";yes.addEventListener("click",function(){answer(true);});var no=document.createElement("button");no.type="button";no.className="qs-button";no.id="ask-keep";no.textContent="保留手机上的";no.addEventListener("click",function(){answer(false);});var buttons=document.createElement("p");buttons.className="qs-actions";buttons.appendChild(yes);buttons.appendChild(no);box.appendChild(lead);box.appendChild(list);box.appendChild(buttons);main.insertBefore(box,main.firstChild);}
function startProblem(start,today){if(!validDate(start)){return BAD_LINK+"建群日期不对。请在下面选一下你的群是哪天建的。";}
var gap=daysBetween(start,today);if(gap>366||gap<-366){return BAD_LINK+"建群日期离今天超过一年，请重新选择。";}
if(gap<0){return"建群日期在今天之后：请检查一下，重新选择。";}
return"";}
function setupOffline(){if(!("serviceWorker"in navigator)||location.protocol==="file:"){return;}
var base=SCRIPT.src.replace(/[^/]*$/,"");var here=location.origin+location.pathname;navigator.serviceWorker.register(base+"sw.js",{scope:base}).then(function(){return navigator.serviceWorker.ready;}).then(function(registration){var message={shared:[SCRIPT.src]};if(data.page==="day"){message.day=here;message.files=[];document.querySelectorAll("img[src], video[poster]").forEach(function(node){message.files.push(node.tagName==="IMG"?node.src:node.poster);});message.shared.push(new URL("../",here).href);if(data.next){message.next=new URL("../"+data.next+"/",here).href;}}else{message.shared.push(here);}
if(registration.active){registration.active.postMessage(message);}}).catch(function(){});}
function missingIn(nodes,profile){var missing=[];nodes.forEach(function(node){node.querySelectorAll("mark[data-ph]").forEach(function(mark){var name=mark.getAttribute("data-ph");if(!own(profile,name)&&missing.indexOf(name)<0){missing.push(name);}});});return missing;}
function applyProfile(){var profile=readProfile();document.querySelectorAll("mark[data-ph]").forEach(function(mark){var name=mark.getAttribute("data-ph");var value=own(profile,name);mark.textContent=value?value:"{"+name+"}";mark.classList.toggle("filled",Boolean(value));});var anyMissing=false;document.querySelectorAll("[data-missing-for]").forEach(function(line){var card=document.getElementById("slot-"+line.getAttribute("data-missing-for"));var missing=missingIn([].slice.call(card.querySelectorAll(".qs-text")),profile);line.hidden=missing.length===0;line.textContent=missing.length?"还没填："+missing.join("、")+
(data.fields&&data.fields.length?"（点右上角“"+data.words.myStore+"”）":""):"";anyMissing=anyMissing||missing.length>0;});document.querySelectorAll("[data-copy]").forEach(labelButton);var prompt=document.getElementById("profile-prompt");if(prompt){prompt.hidden=!anyMissing;}
var storeBox=document.getElementById("receipt-store-box");if(storeBox){storeBox.hidden=Boolean(own(profile,"门店名"));}}
function labelButton(button){var node=document.getElementById(button.getAttribute("data-copy"));if(!node){return;}
var missing=missingIn([node],readProfile());button.setAttribute("data-missing",missing.join("、"));button.textContent=missing.length?"复制（缺"+missing.length+"项）":readState().copied.indexOf(node.id)>=0?"已复制 ✓":"复制";}
function openProfile(focusName){var form=document.getElementById("profile");if(!form){return;}
if(form.hidden){var profile=readProfile();form.querySelectorAll("[data-ph-input]").forEach(function(input){input.value=own(profile,input.getAttribute("data-ph-input"));});}
form.hidden=false;var target=null;form.querySelectorAll("[data-ph-input]").forEach(function(input){if(!target&&(!focusName||input.getAttribute("data-ph-input")===focusName)&&!input.value){target=input;}});(target||form.querySelector("input")).focus();form.scrollIntoView({block:"start"});}
function setupProfile(){document.querySelectorAll("[data-open-profile]").forEach(function(button){button.addEventListener("click",function(){openProfile(null);});});var save=document.getElementById("profile-save");if(save){save.addEventListener("click",function(){var profile=readProfile();document.querySelectorAll("[data-ph-input]").forEach(function(input){var value=clean(input.value);if(value){profile[input.getAttribute("data-ph-input")]=value;}
else{delete profile[input.getAttribute("data-ph-input")];}});store(PROFILE_KEY,JSON.stringify(profile));document.getElementById("profile").hidden=true;applyProfile();toast("已保存：复制时会自动填进去");});}}
function stateKey(){return"qunsop:day:"+data.calendar+":"+data.key;}
function readState(){var state=loadJson(stateKey(),{});return{copied:Array.isArray(state.copied)?state.copied:[],sent:Array.isArray(state.sent)?state.sent:[],skipped:state.skipped&&typeof state.skipped==="object"&&!Array.isArray(state.skipped)?state.skipped:{}};}
function writeState(change){var state=readState();change(state);store(stateKey(),JSON.stringify(state));showState();}
function showState(){var state=readState();document.querySelectorAll(".qs-slot").forEach(function(card){var number=card.id.replace("slot-","");var box=card.querySelector("[data-sent]"),skip=card.querySelector("[data-skip]");var sent=state.sent.indexOf(number)>=0,reason=own(state.skipped,number);if(box){box.checked=sent;}
if(skip){skip.value=reason;}
card.classList.toggle("sent",sent);card.classList.toggle("skipped",!sent&&Boolean(reason));card.classList.toggle("copied",state.copied.indexOf("text-"+number)>=0);});}
function setSent(number,value){writeState(function(state){state.sent=state.sent.filter(function(item){return item!==number;});if(value){state.sent.push(number);delete state.skipped[number];}});}
function setSkipped(number,reason){writeState(function(state){if(reason){state.skipped[number]=reason;state.sent=state.sent.filter(function(item){return item!==number;});}
else{delete state.skipped[number];}});}
function sendable(){return[].slice.call(document.querySelectorAll(".qs-slot:not([data-held])"));}
function receiptText(){var profile=readProfile(),group=readGroup(),state=readState();var who=data.assistant?data.words.sender:own(profile,"门店名");var groupName=own(group,"群名"),groupId=own(group,"群编号");var sent=[],skipped=[],open=[],items=sendable();items.forEach(function(card){var key=card.id.replace("slot-","");var item=card.getAttribute("data-time")+" "+card.querySelector(".qs-title").textContent;if(state.sent.indexOf(key)>=0){sent.push(item);}
else if(own(state.skipped,key)){skipped.push(item+"（"+own(state.skipped,key)+"）");}
else{open.push(item);}});var lines=["【已发回报】"+who+" · 群："+groupName+(groupId?"（"+groupId+"）":""),data.calendarName+" · "+data.dayLabel,"已发 "+sent.length+"/"+items.length+" 条"+(sent.length?"："+sent.join("；"):"")];if(skipped.length){lines.push("不发 "+skipped.length+" 条："+skipped.join("；"));}
if(open.length){lines.push("还没发 "+open.length+" 条："+open.join("；"));}
return lines.join("\n");}
function setupReceipt(){var button=document.getElementById("receipt-copy");if(!button){return;}
var groupInput=document.getElementById("receipt-group");var storeInput=document.getElementById("receipt-store");var error=document.getElementById("receipt-error");var shown=document.getElementById("receipt-text");groupInput.value=own(readGroup(),"群名");button.addEventListener("click",function(){var group=readGroup(),profile=readProfile();var groupName=clean(groupInput.value);if(groupName&&groupName!==own(group,"群名")){group["群名"]=groupName;delete group["群编号"];store(groupKey(),JSON.stringify(group));}
if(storeInput&&!own(profile,"门店名")&&clean(storeInput.value)){profile["门店名"]=clean(storeInput.value);store(PROFILE_KEY,JSON.stringify(profile));applyProfile();}
var lacking=[];if(!own(readGroup(),"群名")){lacking.push("群名");}
if(!data.assistant&&!own(readProfile(),"门店名")){lacking.push("门店名");}
error.hidden=!lacking.length;error.textContent=lacking.length?"回报里要写"+lacking.join("和")+"：先填上再复制。":"";if(lacking.length){(lacking[0]==="群名"?groupInput:storeInput).focus();return;}
var text=receiptText();shown.textContent=text;shown.hidden=true;copy(text).then(function(){toast(data.words.receiptCopied);}).catch(function(){shown.hidden=false;selectText(shown);toast("这个浏览器不让自动复制：回报已选中，长按它，点“复制”");});});}
function setupDay(){setupProfile();document.querySelectorAll("[data-copy]").forEach(function(button){button.addEventListener("click",function(){var missing=button.getAttribute("data-missing");if(missing&&!button.hasAttribute("data-warned")){button.setAttribute("data-warned","1");toast("还没填："+missing+"。填好再复制，或再点一次照原样复制");openProfile(missing.split("、")[0]);return;}
var node=document.getElementById(button.getAttribute("data-copy"));copy(node.textContent).then(function(){writeState(function(state){if(state.copied.indexOf(node.id)<0){state.copied.push(node.id);}});labelButton(button);toast("已复制，去微信粘贴；发出去后勾“已发”");}).catch(function(){selectText(node);button.textContent="请长按文字复制";toast("这个浏览器不让自动复制：文字已选中，长按它，点“复制”");setTimeout(function(){labelButton(button);},4000);});});});document.querySelectorAll("[data-sent]").forEach(function(box){box.addEventListener("change",function(){setSent(box.getAttribute("data-sent"),box.checked);});});document.querySelectorAll("[data-skip]").forEach(function(select){(data.reasons||[]).forEach(function(reason){var option=document.createElement("option");option.textContent=reason;select.appendChild(option);});select.addEventListener("change",function(){setSkipped(select.getAttribute("data-skip"),select.value);});});showState();applyProfile();setupReceipt();markDue();}
function isToday(){var now=todayIn(data.timezone);if(data.dated){return data.date===now.date;}
var start=load("qunsop:start:"+data.calendar);return startProblem(start,now.date)===""&&daysBetween(start,now.date)+1===data.number;}
function dueTime(times,now){return times.reduce(function(due,time){return time<=now&&time>due?time:due;},"");}
function markDue(){if(!isToday()){return;}
var cards=sendable();var due=dueTime(cards.map(function(item){return item.getAttribute("data-time");}),todayIn(data.timezone).time);var card=cards.filter(function(item){return due&&item.getAttribute("data-time")===due;})[0];if(!card){return;}
card.classList.add("due");if(card!==document.querySelector(".qs-slot")){card.scrollIntoView({block:"start"});}}
function setupDays(){var now=todayIn(data.timezone).date;var start=data.dated?null:load("qunsop:start:"+data.calendar);document.querySelectorAll("a[data-day]").forEach(function(link){var today=data.dated?link.getAttribute("data-date")===now:startProblem(start,now)===""&&String(daysBetween(start,now)+1)===link.getAttribute("data-day");if(today){link.classList.add("today");link.setAttribute("aria-current","date");}});showAsk(null);}
offerValues(valuesFromAddress());if(data.page==="day"){setupDay();showAsk(applyProfile);}
if(data.page==="days"){setupDays();}
setupOffline();})();
